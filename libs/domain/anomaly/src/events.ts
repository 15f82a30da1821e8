import { DomainEvent } from '@vigil/domain/shared';
import { AnomalySeverity } from './severity';

export interface ObservationWindow {
  readonly start: string;
  readonly end: string;
}

/** What a detector (or an external alert) saw in one window. */
export interface Observation {
  readonly expected: number;
  readonly actual: number;
  readonly score: number;
  readonly severity: AnomalySeverity;
  readonly window: ObservationWindow;
}

export type AnomalyResolution = 'recovered' | 'remediated' | 'manual' | 'false-positive';
export const ANOMALY_RESOLUTIONS: readonly AnomalyResolution[] = ['recovered', 'remediated', 'manual', 'false-positive'];

export type AnomalyDetected = DomainEvent<
  'AnomalyDetected',
  {
    readonly anomalyId: string;
    readonly service: string;
    readonly operation: string;
    /** e.g. `latency_p99`, `error_rate`, `slo_burn:checkout-availability`. */
    readonly signal: string;
  } & Observation & {
      /** `detector`, or the external alert source (`alertmanager`, `grafana`…). */
      readonly source?: string;
      /** The external alert's own fingerprint, when it came from one. */
      readonly fingerprint?: string;
      readonly at: string;
    }
>;

/** A repeat detection of the open anomaly: it updates the anomaly instead of opening another. */
export type AnomalyUpdated = DomainEvent<'AnomalyUpdated', { readonly anomalyId: string } & Observation & { readonly occurrences: number; readonly at: string }>;

export type AnomalyEscalatedSeverity = DomainEvent<
  'AnomalyEscalatedSeverity',
  { readonly anomalyId: string; readonly from: AnomalySeverity; readonly to: AnomalySeverity; readonly by: string; readonly reason?: string; readonly at: string }
>;

export type AnomalyAcknowledged = DomainEvent<'AnomalyAcknowledged', { readonly anomalyId: string; readonly by: string; readonly at: string }>;

export type AnomalySuppressed = DomainEvent<
  'AnomalySuppressed',
  { readonly anomalyId: string; readonly silenceId: string; readonly by: string; readonly at: string }
>;

export type AnomalyResolved = DomainEvent<
  'AnomalyResolved',
  { readonly anomalyId: string; readonly how: AnomalyResolution; readonly by: string; readonly note?: string; readonly at: string }
>;

export type AnomalyEvent =
  | AnomalyDetected
  | AnomalyUpdated
  | AnomalyEscalatedSeverity
  | AnomalyAcknowledged
  | AnomalySuppressed
  | AnomalyResolved;
