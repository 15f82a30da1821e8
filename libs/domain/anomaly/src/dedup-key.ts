import { canonicalJson } from '@vigil/domain/shared';

export interface AnomalyKey {
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
}

/** One open anomaly per key; callers index open anomalies by this text (no separator can collide). */
export const anomalyDedupKey = ({ service, operation, signal }: AnomalyKey): string => canonicalJson([service, operation, signal]);
