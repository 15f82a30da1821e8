import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestVigil, TestVigil } from '../support/start-test-vigil';

const MINUTE = 60_000;

/** Runs the real OpenTelemetry SDK exporter in its own Node process (see support/sdk-error-jump.ts). */
async function sendWithSdk(request: Record<string, unknown>): Promise<{ spans: number; errors: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', './tools/register.js', join(__dirname, 'support', 'sdk-error-jump.ts'), JSON.stringify(request)], {
    cwd: join(__dirname, '..', '..'),
    timeout: 90_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as { spans: number; errors: number };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('OTel SDK exporter → OTLP/HTTP → ClickHouse → detector → open anomaly (issue 4, "done when")', () => {
  let vigil: TestVigil;
  beforeAll(async () => {
    vigil = await startTestVigil({ VIGIL_DETECTION_INTERVAL_MS: '1000' }, { clickhouse: true });
  });
  afterAll(async () => vigil?.stop());

  it('stores the spans, counts every span in RED before sampling, and opens one error-rate anomaly when errors jump', async () => {
    const now = Date.now();
    const from = Math.floor(now / MINUTE) * MINUTE - 45 * MINUTE;
    const errorsFrom = from + 41 * MINUTE;
    // 43 closed minutes: 41 clean (the detector learns), then 2 with a third of the requests failing.
    const sent = await sendWithSdk({ url: vigil.otlpHttpUrl, service: 'checkout', operation: 'POST /pay', from, minutes: 43, perMinute: 30, errorsFrom, errorShare: 1 / 3 });
    expect(sent).toEqual({ spans: 43 * 30, errors: 2 * 10 });

    const db = vigil.runtime.config.CLICKHOUSE_DATABASE;
    const clickhouse = vigil.runtime.clickhouse!;
    const scalar = async (query: string) => Number(((await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0] ?? { n: '0' }).n);

    // RED counts every span (before tail sampling); the raw table keeps at least every error span, weighted.
    const red = await eventually('RED rows for every span', async () => {
      const n = await scalar(`SELECT toString(countMerge(Requests)) AS n FROM \`${db}\`.otel_red_1m WHERE ServiceName = 'checkout'`);
      return n === sent.spans ? n : undefined;
    });
    expect(red).toBe(sent.spans);
    const errorRows = await eventually('error spans stored', async () => {
      const n = await scalar(`SELECT toString(count()) AS n FROM \`${db}\`.otel_traces WHERE ServiceName = 'checkout' AND StatusCode = 'Error'`);
      return n === sent.errors ? n : undefined;
    });
    expect(errorRows).toBe(sent.errors);
    // Tail sampling at the default 1%: ordinary spans are mostly dropped, and the kept ones stand for 100 each.
    const cleanStored = await scalar(`SELECT toString(count()) AS n FROM \`${db}\`.otel_traces WHERE ServiceName = 'checkout' AND StatusCode != 'Error'`);
    expect(cleanStored).toBeLessThan((sent.spans - sent.errors) / 10);
    expect(await scalar(`SELECT toString(countIf(SampleWeight != 100)) AS n FROM \`${db}\`.otel_traces WHERE ServiceName = 'checkout' AND StatusCode != 'Error'`)).toBe(0);
    expect(await scalar(`SELECT toString(count()) AS n FROM \`${db}\`.otel_traces WHERE mapContains(SpanAttributes, 'user.email') AND SpanAttributes['user.email'] LIKE '%@example.com'`)).toBe(0);

    const anomaly = await eventually('an open error-rate anomaly in GET /api/anomalies', async () => {
      const { body } = await vigil.request('GET', '/api/anomalies?status=open', { token: vigil.tokens.alice });
      return (body.items as Array<Record<string, unknown>>).find((item) => item.service === 'checkout' && item.signal === 'error_rate');
    });
    expect(anomaly).toMatchObject({ service: 'checkout', operation: 'POST /pay', signal: 'error_rate', severity: 'critical' });
    const { events } = await vigil.runtime.bus.load('anomaly', String(anomaly.anomalyId));
    expect(events[0]).toMatchObject({ type: 'AnomalyDetected', data: { source: 'vigil-detector', signal: 'error_rate' } });
    const detected = events[0].data as { actual: number; expected: number };
    expect(detected.actual).toBeGreaterThan(0.3);
    expect(detected.expected).toBeLessThan(0.05);

    // The approval card's chart: the signal per minute against the detector's band, the jump outside it.
    const series = await vigil.request('GET', `/api/anomalies/${String(anomaly.anomalyId)}/series?hours=2`, { token: vigil.tokens.alice });
    expect(series.status).toBe(200);
    expect(series.body).toMatchObject({ service: 'checkout', operation: 'POST /pay', signal: 'error_rate', source: 'red' });
    const points = series.body.points as Array<{ t: number; value: number; upper: number }>;
    expect(points).toHaveLength(43);
    expect(points.filter((point) => point.value > point.upper).map((point) => point.t)).toContain(errorsFrom);

    // Repeats update the open anomaly instead of opening another.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { body } = await vigil.request('GET', '/api/anomalies', { token: vigil.tokens.alice });
    expect((body.items as Array<Record<string, unknown>>).filter((item) => item.service === 'checkout' && item.signal === 'error_rate')).toHaveLength(1);
  });
});
