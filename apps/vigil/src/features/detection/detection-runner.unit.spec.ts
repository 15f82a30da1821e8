import pino from 'pino';
import { RedMinute } from '@vigil/detection';
import { DetectionRunner, RedMinuteSource } from './detection-runner';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 30);
const OPEN_MINUTE = Date.UTC(2026, 10, 21, 12, 0);

/** A RED source over fixed minutes, recording what the runner asked for. */
function sourceOf(minutes: RedMinute[]): RedMinuteSource & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    reads,
    async keys() {
      const newest = new Map<string, RedMinute>();
      for (const m of minutes) if ((newest.get(m.service)?.minute ?? -1) < m.minute) newest.set(m.service, m);
      return [...newest.values()].map((m) => ({ service: m.service, operation: m.operation, newest: m.minute }));
    },
    async minutes(from, to) {
      reads.push([from, to]);
      return minutes.filter((m) => m.minute >= from && m.minute < to);
    },
  };
}

describe('DetectionRunner reading RED minutes', () => {
  it('feeds the closed minutes of a series whose newest minute is still open (live traffic), and not the open one', async () => {
    const minutes: RedMinute[] = Array.from({ length: 41 }, (_, i) => ({
      service: 'cart', operation: 'GET /', minute: OPEN_MINUTE - (40 - i) * MIN, requests: 100, errors: 0, p95Ms: 50, p99Ms: 80,
    }));
    const source = sourceOf(minutes);
    const runner = new DetectionRunner({ source, bus: {} as never, pool: {} as never, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    expect(runner.stats.minutes).toBe(40);
    // The closed minutes, then the open one for its error rate only (RedMonitor.preview), not fed.
    expect(source.reads).toEqual([[expect.any(Number), OPEN_MINUTE], [OPEN_MINUTE, OPEN_MINUTE + MIN]]);
    await runner.tick();
    // Nothing new closed: the closed minutes are not read again, only the open one.
    expect(source.reads.slice(2)).toEqual([[OPEN_MINUTE, OPEN_MINUTE + MIN]]);
    expect(runner.stats.minutes).toBe(40);
  });

  it('leaves a series\' newest minute alone while it may still be filling (history being sent), and reads it once later data lands', async () => {
    const minute = (i: number): RedMinute => ({ service: 'cart', operation: 'GET /', minute: OPEN_MINUTE - 60 * MIN + i * MIN, requests: 100, errors: 0, p95Ms: 50, p99Ms: 80 });
    const landed = Array.from({ length: 35 }, (_, i) => minute(i));
    const source = sourceOf(landed);
    const runner = new DetectionRunner({ source, bus: {} as never, pool: {} as never, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    expect(runner.stats.minutes).toBe(34);
    landed.push(minute(35));
    await runner.tick();
    expect(runner.stats.minutes).toBe(35);
  });
});

/** Records the anomalies the runner reports (ReportAnomalyUseCase over a fake pool and bus). */
function recordingReports(): { bus: never; pool: never; reported: Array<Record<string, unknown>> } {
  const reported: Array<Record<string, unknown>> = [];
  return {
    reported,
    pool: { query: async (_sql: string, params: unknown[]) => ({ rows: [{ anomaly_id: params[1] }] }) } as never,
    bus: {
      load: async () => ({ state: { status: 'Open' } }),
      send: async (_kind: string, _id: string, command: { data: Record<string, unknown> }) => {
        reported.push(command.data);
        return { events: [{ type: 'AnomalyDetected' }] };
      },
    } as never,
  };
}

describe('DetectionRunner on the minute still filling', () => {
  /** 40 closed minutes of inventory without a failure, then the open minute as far as it has landed. */
  const minutesWith = (open: Partial<RedMinute>): RedMinute[] => [
    ...Array.from({ length: 40 }, (_, i) => ({ service: 'inventory', operation: 'GET /products', minute: OPEN_MINUTE - (40 - i) * MIN, requests: 100, errors: 0, p95Ms: 50, p99Ms: 80 })),
    { service: 'inventory', operation: 'GET /products', minute: OPEN_MINUTE, requests: 100, errors: 0, p95Ms: 50, p99Ms: 80, ...open },
  ];

  it('raises an error-rate anomaly 30 s into the minute where a third of the requests fail, without waiting for it to close', async () => {
    const reports = recordingReports();
    const runner = new DetectionRunner({ source: sourceOf(minutesWith({ requests: 50, errors: 17 })), ...reports, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    expect(reports.reported).toEqual([expect.objectContaining({ service: 'inventory', operation: 'GET /products', signal: 'error_rate', window: { start: new Date(OPEN_MINUTE).toISOString(), end: new Date(OPEN_MINUTE + MIN).toISOString() } })]);
  });

  it('raises a latency anomaly 30 s into the minute where most requests turned ten times slower, without waiting for it to close', async () => {
    const reports = recordingReports();
    const runner = new DetectionRunner({ source: sourceOf(minutesWith({ requests: 50, percentilesMs: { 50: 400 }, p95Ms: 520, p99Ms: 560 })), ...reports, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    expect(reports.reported).toEqual([expect.objectContaining({ service: 'inventory', operation: 'GET /products', signal: 'latency_p95', actual: 520 })]);
  });

  it('does not read half a minute of requests as a throughput drop', async () => {
    const reports = recordingReports();
    const runner = new DetectionRunner({ source: sourceOf(minutesWith({ requests: 40 })), ...reports, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    await runner.tick();
    expect(reports.reported).toEqual([]);
  });
});
