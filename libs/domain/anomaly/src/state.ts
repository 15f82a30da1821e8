import { AnomalyKey } from './dedup-key';
import { AnomalyResolution, ObservationWindow } from './events';
import { AnomalySeverity } from './severity';

export interface AnomalyRecord {
  readonly anomalyId: string;
  readonly key: AnomalyKey;
  /** The highest severity seen. */
  readonly severity: AnomalySeverity;
  readonly occurrences: number;
  readonly lastWindow: ObservationWindow;
  readonly detectedAt: string;
  readonly source?: string;
  readonly fingerprint?: string;
}

export type AnomalyState =
  | { readonly status: 'Initial' }
  | { readonly status: 'Open'; readonly anomaly: AnomalyRecord }
  | { readonly status: 'Acknowledged'; readonly anomaly: AnomalyRecord; readonly acknowledgedBy: string }
  | { readonly status: 'Suppressed'; readonly anomaly: AnomalyRecord; readonly silenceId: string }
  | { readonly status: 'Resolved'; readonly anomaly: AnomalyRecord; readonly how: AnomalyResolution };

export type LiveAnomaly = Extract<AnomalyState, { status: 'Open' | 'Acknowledged' | 'Suppressed' }>;

export const initialAnomalyState = (): AnomalyState => ({ status: 'Initial' });
