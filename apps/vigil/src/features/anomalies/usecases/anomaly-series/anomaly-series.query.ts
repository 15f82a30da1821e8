import { CommandBus } from '@vigil/application';
import { BandPoint, isRedSignal, redSignalBand } from '@vigil/detection';
import { DomainError } from '@vigil/domain/shared';
import { RedMinuteSource } from '../../../detection/detection-runner';

export interface AnomalySeries {
  readonly anomalyId: string;
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  /** Where the series came from: the RED rollup with the detector's band. */
  readonly source: 'red';
  readonly points: readonly BandPoint[];
}

/**
 * The anomalous signal over the hours before now, against the band the detector held minute by minute (the chart
 * of the approval card). Only detector signals (error rate, latency, throughput) have a RED series; anomalies from
 * alert webhooks answer SERIES.NOT_AVAILABLE and the console falls back to the anomaly's own observations.
 */
export class AnomalySeriesQuery {
  constructor(private readonly bus: CommandBus, private readonly red: RedMinuteSource | undefined, private readonly clock: () => number = Date.now) {}

  async execute(anomalyId: string, hours: number): Promise<AnomalySeries> {
    const { state } = await this.bus.load('anomaly', anomalyId);
    if (state.status === 'Initial') throw new DomainError('ANOMALY.NOT_FOUND', 'not_found', `no anomaly ${anomalyId}`);
    const { service, operation, signal } = state.anomaly.key;
    if (!this.red) throw new DomainError('SERIES.NOT_AVAILABLE', 'not_found', 'no telemetry store is configured (ClickHouse is off)');
    if (!isRedSignal(signal)) throw new DomainError('SERIES.NOT_AVAILABLE', 'not_found', `${signal} is not a RED signal; see the anomaly's observations`);
    const to = this.clock();
    const minutes = await this.red.minutes(to - hours * 3_600_000, to, [{ service, operation }]);
    return { anomalyId, service, operation, signal, source: 'red', points: redSignalBand(minutes, signal) };
  }
}
