import { streamIdOf } from '@vigil/application';
import { AnomalyEvent, anomalyDecider } from '@vigil/domain/anomaly';
import { JsonObject } from '@vigil/domain/shared';
import { EventStore } from '@vigil/event-store';

export interface SignalCheckResult {
  readonly recovered: boolean;
  readonly evidence: JsonObject;
}

/** Re-checks an anomaly's signal after a change: the verification behind `VerifyExecution`. */
export interface SignalCheck {
  check(anomalyId: string, context?: { readonly executionId?: string }): Promise<SignalCheckResult>;
}

export interface AnomalyStateSignalCheckOptions {
  /** How far past `expected` the latest observation may be and still count as recovered. Default 0.1 (10 %). */
  readonly tolerance?: number;
}

/**
 * The default check, from the anomaly's own record until detection answers it: recovered when the anomaly is
 * resolved, or when its latest observation is back within `expected` (in the direction the anomaly went: a
 * latency spike recovers downwards, a throughput drop upwards).
 */
export class AnomalyStateSignalCheck implements SignalCheck {
  constructor(
    private readonly store: EventStore,
    private readonly options: AnomalyStateSignalCheckOptions = {},
  ) {}

  async check(anomalyId: string): Promise<SignalCheckResult> {
    const events = (await this.store.readStream(streamIdOf('anomaly', anomalyId))).map((e) => ({ type: e.type, data: e.data }) as AnomalyEvent);
    const state = events.reduce(anomalyDecider.evolve, anomalyDecider.initialState());
    if (state.status === 'Initial') return { recovered: false, evidence: { anomalyId, status: 'unknown' } };
    if (state.status === 'Resolved') return { recovered: true, evidence: { anomalyId, status: 'resolved', how: state.how } };
    const observations = events.flatMap((e) => (e.type === 'AnomalyDetected' || e.type === 'AnomalyUpdated' ? [e.data] : []));
    const first = observations[0];
    const latest = observations[observations.length - 1];
    const tolerance = this.options.tolerance ?? 0.1;
    const wentUp = first.actual >= first.expected;
    const limit = wentUp ? latest.expected * (1 + tolerance) : latest.expected * (1 - tolerance);
    const recovered = wentUp ? latest.actual <= limit : latest.actual >= limit;
    return {
      recovered,
      evidence: {
        anomalyId,
        status: state.status.toLowerCase(),
        expected: latest.expected,
        actual: latest.actual,
        window: { start: latest.window.start, end: latest.window.end },
        tolerance,
        direction: wentUp ? 'above-expected' : 'below-expected',
      },
    };
  }
}
