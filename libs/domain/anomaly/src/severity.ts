/** Lowest first; the same scale PagerDuty uses, so a page carries the anomaly's severity as is. */
export const ANOMALY_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type AnomalySeverity = (typeof ANOMALY_SEVERITIES)[number];

export const isAnomalySeverity = (value: unknown): value is AnomalySeverity => ANOMALY_SEVERITIES.includes(value as AnomalySeverity);
export const severityRank = (severity: AnomalySeverity): number => ANOMALY_SEVERITIES.indexOf(severity);
