import type { ClickHouseClient } from '@clickhouse/client';

/**
 * A bad deploy in telemetry, for specs: frontend → checkout → payments, 20 traces a minute. From `onset` on, 70% of
 * payments' spans run `app.version=v2` and fail (their callers fail with them) and payments logs a NullPointerException;
 * a `changes` row records the ArgoCD deployment of v2 (previous v1) two minutes before. Everything before is healthy v1.
 */
export interface BadDeployStory {
  readonly onset: number;
  readonly service: 'payments';
  readonly changeId: string;
  /** The anomaly a detector would raise: payments' error rate in the first minute from the onset. */
  readonly window: { readonly start: string; readonly end: string };
}

const TRACES_PER_MINUTE = 20;
const BASELINE_MINUTES = 60;
const ANOMALOUS_MINUTES = 10;
const PODS = ['payments-7d9f-a1', 'payments-7d9f-b2', 'payments-7d9f-c3'];

/** Seconds.millis text, which DateTime64 columns parse exactly. */
const chMillis = (ms: number): string => (ms / 1000).toFixed(3);
const hex = (seed: number, length: number): string => (seed.toString(16).padStart(length, '0') + '0'.repeat(length)).slice(0, length);

/** `baselineMinutes`: healthy history before the onset (default 60; an SLO burn's hour-long window needs more). */
export async function insertBadDeployStory(
  client: ClickHouseClient,
  database: string,
  onset = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000,
  baselineMinutes = BASELINE_MINUTES,
): Promise<BadDeployStory> {
  const spans: Record<string, unknown>[] = [];
  const logs: Record<string, unknown>[] = [];
  const resource = (service: string, pod: string) => ({
    'service.name': service,
    'deployment.environment': 'prod',
    'k8s.namespace.name': 'shop',
    'k8s.deployment.name': service,
    'k8s.pod.name': pod,
  });
  let trace = 0;
  for (let minute = -baselineMinutes; minute < ANOMALOUS_MINUTES; minute++) {
    for (let i = 0; i < TRACES_PER_MINUTE; i++) {
      trace++;
      const start = onset + minute * 60_000 + i * 2_000;
      const bad = minute >= 0 && i % 10 < 7;
      const traceId = hex(trace, 32);
      const status = bad ? 'Error' : 'Ok';
      const ids = { frontend: hex(trace * 3, 16), checkout: hex(trace * 3 + 1, 16), payments: hex(trace * 3 + 2, 16) };
      const span = (service: keyof typeof ids, parent: string, durationMs: number, attributes: Record<string, string>, pod: string) => ({
        Timestamp: chMillis(start),
        TraceId: traceId,
        SpanId: ids[service],
        ParentSpanId: parent,
        SpanName: service === 'frontend' ? 'GET /checkout' : service === 'checkout' ? 'POST /orders' : 'POST /charge',
        SpanKind: 'Server',
        ServiceName: service,
        ResourceAttributes: resource(service, pod),
        SpanAttributes: { 'http.route': service === 'payments' ? '/charge' : '/orders', customer_tier: i % 2 === 0 ? 'gold' : 'basic', request_id: `r-${trace}-${service}`, ...attributes },
        Duration: String(durationMs * 1_000_000),
        StatusCode: status,
        SampleWeight: 1,
      });
      spans.push(
        span('frontend', '', 120 + (i % 5), {}, `frontend-${i % 2}`),
        span('checkout', ids.frontend, 80 + (i % 5), {}, `checkout-${i % 2}`),
        span('payments', ids.checkout, 40 + (i % 5), { 'app.version': bad ? 'v2' : 'v1' }, PODS[i % PODS.length]),
      );
      if (bad) {
        logs.push({
          Timestamp: chMillis(start + 5),
          TraceId: traceId,
          SpanId: ids.payments,
          SeverityText: 'ERROR',
          SeverityNumber: 17,
          ServiceName: 'payments',
          Body: `charge failed for order ${1000 + trace}: NullPointerException`,
          ResourceAttributes: resource('payments', PODS[i % PODS.length]),
          LogAttributes: {
            'exception.type': 'java.lang.NullPointerException',
            'exception.message': `price of order ${1000 + trace} is null`,
            'exception.stacktrace': 'java.lang.NullPointerException\n\tat shop.payments.PriceCalculator.total(PriceCalculator.java:42)\n\tat shop.payments.ChargeHandler.handle(ChargeHandler.java:17)',
          },
          SampleWeight: 1,
        });
      }
    }
  }
  const changeId = `argocd:payments:${onset}`;
  await client.insert({ table: `${database}.otel_traces`, values: spans, format: 'JSONEachRow' });
  await client.insert({ table: `${database}.otel_logs`, values: logs, format: 'JSONEachRow' });
  await client.insert({
    table: `${database}.changes`,
    values: [
      { Timestamp: chMillis(onset - 2 * 60_000), ChangeId: changeId, ServiceName: 'payments', Environment: 'prod', Kind: 'deployment', Revision: 'v2', PreviousRevision: 'v1', Source: 'argocd', Description: 'sync payments to v2', Url: '', Attributes: {} },
      // An unrelated service's deploy: not a dependency of payments, so it must not be correlated.
      { Timestamp: chMillis(onset - 5 * 60_000), ChangeId: `argocd:search:${onset}`, ServiceName: 'search', Environment: 'prod', Kind: 'deployment', Revision: 's9', PreviousRevision: 's8', Source: 'argocd', Description: '', Url: '', Attributes: {} },
    ],
    format: 'JSONEachRow',
  });
  return { onset, service: 'payments', changeId, window: { start: new Date(onset).toISOString(), end: new Date(onset + 60_000).toISOString() } };
}
