export { createDetector, DEFAULT_PARAMS, SIGNALS } from './detector';
export type { Detector, DetectorOutput, DetectorParams, DetectorState, Signal, SignalParams } from './detector';
export { SeasonalBaseline } from './seasonal-baseline';
export type { SeasonalParams, SeasonalState, SeasonalStep } from './seasonal-baseline';
export { RollingWindow } from './rolling-window';
export { MAD_TO_SIGMA, robustScale } from './robust-scale';
export {
  budgetConsumed,
  burnRate,
  burnRateThreshold,
  DAY_MS,
  errorBudget,
  errorRate,
  evaluateBurnRateAlerts,
  HOUR_MS,
  MINUTE_MS,
  mostSevere,
  SLO_PERIOD_30D_MS,
  SRE_WORKBOOK_30D,
  timeToExhaustion,
} from './burn-rate';
export type { BurnRateAlert, BurnRateWindowPair, BurnSeverity, WindowCounts } from './burn-rate';
export { parseTimestamp } from './timestamps';
export { createCsvScorer, CSV_OUTPUT_HEADER, splitCsvLine } from './csv';
export type { CsvScorer } from './csv';
export { RedMonitor, RED_SIGNALS, RED_DETECTOR_PARAMS, DEFAULT_RED_MONITOR_PARAMS, minuteOf, redSignalBand, isRedSignal } from './red-monitor';
export type { RedMinute, RedSignal, RedSeverity, RedDecision, RedMonitorParams, BandPoint } from './red-monitor';
export { SloMonitor, ALL_SERVICES } from './slo-monitor';
export type { Slo, SloDecision } from './slo-monitor';
