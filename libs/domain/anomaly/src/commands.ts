import { DomainCommand } from '@vigil/domain/shared';
import { AnomalyResolution, Observation } from './events';
import { AnomalySeverity } from './severity';

/**
 * A detection for one dedup key (service, operation, signal). The caller routes it to the open anomaly of that key,
 * or to a new id when there is none; on an open anomaly it becomes an update, never a second anomaly.
 */
export type DetectAnomaly = DomainCommand<
  'DetectAnomaly',
  { readonly anomalyId: string; readonly service: string; readonly operation: string; readonly signal: string } & Observation & {
      readonly source?: string;
      readonly fingerprint?: string;
    }
>;

export type EscalateAnomalySeverity = DomainCommand<
  'EscalateAnomalySeverity',
  { readonly anomalyId: string; readonly severity: AnomalySeverity; readonly reason?: string }
>;

export type AcknowledgeAnomaly = DomainCommand<'AcknowledgeAnomaly', { readonly anomalyId: string }>;

export type SuppressAnomaly = DomainCommand<'SuppressAnomaly', { readonly anomalyId: string; readonly silenceId: string }>;

export type ResolveAnomaly = DomainCommand<'ResolveAnomaly', { readonly anomalyId: string; readonly how: AnomalyResolution; readonly note?: string }>;

export type AnomalyCommand = DetectAnomaly | EscalateAnomalySeverity | AcknowledgeAnomaly | SuppressAnomaly | ResolveAnomaly;
