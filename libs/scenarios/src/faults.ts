import type { ActionKind } from '@vigil/domain/remediation';
import type { ServiceSpec, Topology } from './topology';

export const FAULT_KINDS = ['bad-deploy', 'slow-dependency', 'error-burst', 'saturation', 'memory-leak'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const isFaultKind = (value: unknown): value is FaultKind => FAULT_KINDS.includes(value as FaultKind);

/** The ground truth a scenario carries: what went wrong, where, and what a good investigation proposes. */
export interface FaultLabel {
  readonly kind: FaultKind;
  readonly rootCauseService: string;
  readonly expectedAction: ActionKind;
  /** First moment the fault changes telemetry (ISO). */
  readonly onset: string;
  /** RED signals that move (on the root cause and, propagated, on its callers). */
  readonly symptoms: readonly ('error_rate' | 'latency')[];
  /** Services whose signals move because of the fault, root cause first. */
  readonly affectedServices: readonly string[];
  /** Span attribute=value pairs over-represented among the anomalous spans of the root cause (BubbleUp's answer). */
  readonly markers: readonly { readonly attribute: string; readonly value: string }[];
  readonly description: string;
}

/** The body of `POST /webhooks/changes`. */
export interface ChangeEventBody {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly revision: string;
  readonly previousRevision: string;
  readonly kind: 'deployment';
  readonly source: string;
  readonly at: string;
  readonly description?: string;
  readonly url?: string;
}

export interface ErrorSpec {
  readonly type: string;
  readonly message: string;
  readonly stacktrace: string;
  readonly httpStatus: number;
}

export type WeightedValues = readonly (readonly [string, number])[];

/** How one pod of a service behaves at one moment: the generator's only input from a fault. */
export interface PodCondition {
  readonly version: string;
  readonly latencyFactor: number;
  readonly errorRate: number;
  readonly error: ErrorSpec;
  /** Request attributes drawn per span (value by weight). */
  readonly requestAttributes: Readonly<Record<string, WeightedValues>>;
  /** Requests whose drawn attribute has this value fail at this rate (on top of errorRate). */
  readonly failingSegment?: { readonly attribute: string; readonly value: string; readonly errorRate: number };
  /** Numeric span attributes that describe the pod's state (queue depth, heap). */
  readonly stateAttributes: Readonly<Record<string, number>>;
  /** A WARN log per request with this probability; the body gets the request's duration. */
  readonly warning?: { readonly probability: number; readonly body: (durationMs: number) => string };
  readonly cpuUtilization: number;
  readonly memoryUtilization: number;
  readonly restarts: number;
}

export interface FaultContext {
  readonly service: ServiceSpec;
  readonly pod: number;
  /** Since the onset (ms, ≥ 0). */
  readonly elapsedMs: number;
  /** Traffic multiplier at this moment. */
  readonly traffic: number;
}

/** A point event a fault emits outside any request (an OOM kill and the restart after it). */
export interface PodEvent {
  readonly pod: number;
  /** Since the onset (ms). */
  readonly elapsedMs: number;
  readonly kind: 'oom-killed';
}

export interface FaultModel {
  readonly kind: FaultKind;
  readonly defaultService: string;
  readonly expectedAction: ActionKind;
  readonly symptoms: FaultLabel['symptoms'];
  describe(service: string): string;
  markers(service: ServiceSpec): FaultLabel['markers'];
  /** Traffic multiplier for the whole topology, `elapsedMs` after the onset. Default 1. */
  trafficFactor?(elapsedMs: number): number;
  /** The root cause pod's condition once the fault is on. */
  affect(condition: PodCondition, context: FaultContext): PodCondition;
  changeEvents?(service: ServiceSpec, onsetMs: number, topology: Topology): ChangeEventBody[];
  podEvents?(service: ServiceSpec, fromElapsedMs: number, toElapsedMs: number): PodEvent[];
}

/** A JVM exception as the OTel Java agent records it: the stack trace starts with `type: message`. */
function javaError(type: string, message: string, httpStatus: number, frames: readonly string[]): ErrorSpec {
  return { type, message, httpStatus, stacktrace: [`${type}: ${message}`, ...frames.map((frame) => `\tat ${frame}`)].join('\n') };
}

/** How long a pod of the new version waits before it replaces an old one (a rolling update). */
const ROLLOUT_STEP_MS = 10_000;
/** bad-deploy: the revision that breaks, as ArgoCD would report it. */
export const BAD_REVISION_SUFFIX = '-stripe-v3';

const badDeploy: FaultModel = {
  kind: 'bad-deploy',
  defaultService: 'payment',
  expectedAction: 'argocd.rollback',
  symptoms: ['error_rate'],
  describe: (service) => `${service} is deployed with a new payment provider client (stripe_v3) that fails a third of its charges`,
  markers: (service) => [{ attribute: 'app.version', value: badRevision(service) }, { attribute: 'payment_provider', value: 'stripe_v3' }],
  affect: (condition, { service, pod, elapsedMs }) => {
    if (elapsedMs < pod * ROLLOUT_STEP_MS) return condition;
    const version = badRevision(service);
    return {
      ...condition,
      version,
      requestAttributes: { ...condition.requestAttributes, payment_provider: [['stripe_v3', 88], ['adyen', 12]] },
      failingSegment: { attribute: 'payment_provider', value: 'stripe_v3', errorRate: 0.45 },
      error: javaError('com.shop.payment.provider.ProviderRejectedException', 'stripe_v3 rejected charge: unsupported api_version 2025-01-01', 502, [
        'com.shop.payment.provider.StripeV3Client.charge(StripeV3Client.java:142)',
        'com.shop.payment.ChargeService.charge(ChargeService.java:77)',
        'com.shop.payment.api.ChargeController.create(ChargeController.java:41)',
        'org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)',
      ]),
    };
  },
  changeEvents: (service, onsetMs, topology) => [{
    id: `argocd:${topology.namespace}-${service.name}:${badRevision(service)}`,
    service: service.name,
    environment: topology.environment,
    revision: badRevision(service),
    previousRevision: service.version,
    kind: 'deployment',
    source: 'argocd',
    at: new Date(onsetMs).toISOString(),
    description: `Sync ${service.name} to ${badRevision(service)} (payment provider client moves to the stripe_v3 API)`,
    url: `https://argocd.example.com/applications/argocd/${topology.namespace}-${service.name}`,
  }],
};

/** v1.8.3 → v1.9.0 */
export function badRevision(service: ServiceSpec): string {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(service.version);
  return match ? `v${match[1]}.${Number(match[2]) + 1}.0` : `${service.version}${BAD_REVISION_SUFFIX}`;
}

const RAMP_MS = 30_000;
const ramp = (elapsedMs: number, rampMs = RAMP_MS) => Math.min(1, elapsedMs / rampMs);

const slowDependency: FaultModel = {
  kind: 'slow-dependency',
  defaultService: 'payment-provider',
  expectedAction: 'ticket.create',
  symptoms: ['latency'],
  describe: (service) => `${service} answers 12× slower (a third-party degradation): its callers' latency rises, nothing of ours changed`,
  markers: () => [],
  affect: (condition, { elapsedMs }) => ({
    ...condition,
    latencyFactor: condition.latencyFactor * (1 + 11 * ramp(elapsedMs)),
    warning: { probability: 0.2, body: (durationMs) => `upstream slow: request took ${Math.round(durationMs)} ms (p99 target 400 ms)` },
  }),
};

const errorBurst: FaultModel = {
  kind: 'error-burst',
  defaultService: 'inventory',
  expectedAction: 'ticket.create',
  symptoms: ['error_rate'],
  describe: (service) => `${service} throws StockLedgerException on a third of its requests (a data bug: no deploy, no resource pressure)`,
  markers: () => [],
  affect: (condition) => ({
    ...condition,
    errorRate: 0.35,
    error: javaError('com.shop.inventory.ledger.StockLedgerException', 'ledger out of balance for sku 48213: reserved 3 > available 1', 500, [
      'com.shop.inventory.ledger.StockLedger.reserve(StockLedger.java:214)',
      'com.shop.inventory.ReservationService.reserve(ReservationService.java:58)',
      'com.shop.inventory.api.StockController.reserve(StockController.java:36)',
      'org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)',
    ]),
  }),
};

/** Traffic grows to 3× over two minutes; the root service's CPU follows and requests queue. */
const SATURATION_RAMP_MS = 120_000;

const saturation: FaultModel = {
  kind: 'saturation',
  defaultService: 'checkout',
  expectedAction: 'k8s.scale',
  symptoms: ['latency', 'error_rate'],
  describe: (service) => `traffic triples; ${service} runs out of CPU and its requests queue (latency ×10, some 503s)`,
  markers: () => [],
  trafficFactor: (elapsedMs) => 1 + 2 * ramp(elapsedMs, SATURATION_RAMP_MS),
  affect: (condition, { service, traffic }) => {
    const utilisation = Math.min(0.97, service.baselineCpu * traffic);
    const queueing = Math.min(15, (1 - service.baselineCpu) / (1 - utilisation));
    const overloaded = utilisation > 0.9;
    return {
      ...condition,
      cpuUtilization: utilisation,
      latencyFactor: condition.latencyFactor * queueing,
      errorRate: overloaded ? 0.04 : condition.errorRate,
      error: {
        type: 'WorkerPoolExhausted',
        message: 'worker pool exhausted: 256 busy, queue full (1024)',
        httpStatus: 503,
        stacktrace: 'goroutine 1 [running]:\nshop/checkout/internal/pool.(*Pool).Submit(...)\n\t/src/internal/pool/pool.go:88 +0x1d\nshop/checkout/internal/api.(*Server).Checkout(...)\n\t/src/internal/api/checkout.go:61 +0x2c',
      },
      stateAttributes: { ...condition.stateAttributes, 'thread.pool.queue_depth': Math.round(1024 * Math.max(0, utilisation - 0.6) / 0.37) },
      warning: { probability: overloaded ? 0.3 : 0.05, body: (durationMs) => `request queued ${Math.round(durationMs * 0.8)} ms: worker pool saturated (cpu throttled)` },
    };
  },
};

/** A pod's heap fills in LEAK_CYCLE_MS (longer for later pods), then it is OOM-killed and restarts empty. */
const LEAK_CYCLE_MS = 150_000;
const LEAK_FLOOR = 0.45;
const leakCycle = (pod: number) => LEAK_CYCLE_MS * (1 + 0.2 * pod);
/** Requests fail around a kill: the pod is gone, then starting. */
const RESTART_GAP_MS = 4_000;

const memoryLeak: FaultModel = {
  kind: 'memory-leak',
  defaultService: 'inventory',
  expectedAction: 'k8s.rollout-restart',
  symptoms: ['latency', 'error_rate'],
  describe: (service) => `${service} leaks heap: memory climbs, GC pauses stretch latency, pods are OOM-killed and restart`,
  markers: () => [],
  affect: (condition, { pod, elapsedMs }) => {
    const cycle = leakCycle(pod);
    const phase = (elapsedMs % cycle) / cycle;
    const restarts = Math.floor(elapsedMs / cycle);
    const memory = LEAK_FLOOR + (1 - LEAK_FLOOR) * phase;
    const gcPressure = Math.max(0, memory - 0.65) / 0.35;
    const restarting = restarts > 0 && elapsedMs % cycle < RESTART_GAP_MS;
    return {
      ...condition,
      memoryUtilization: memory,
      restarts: condition.restarts + restarts,
      latencyFactor: condition.latencyFactor * (1 + 5 * gcPressure ** 2),
      errorRate: restarting ? 0.5 : gcPressure > 0.9 ? 0.05 : condition.errorRate,
      error: restarting
        ? { type: 'ServiceUnavailable', message: 'no healthy upstream: pod restarting after OOMKilled', httpStatus: 503, stacktrace: '' }
        : javaError('java.lang.OutOfMemoryError', 'Java heap space', 500, [
            'java.base/java.util.Arrays.copyOf(Arrays.java:3537)',
            'java.base/java.util.ArrayList.grow(ArrayList.java:237)',
            'com.shop.inventory.cache.SkuCache.remember(SkuCache.java:92)',
            'com.shop.inventory.api.StockController.products(StockController.java:29)',
          ]),
      stateAttributes: { ...condition.stateAttributes, 'process.runtime.jvm.memory.utilization': Math.round(memory * 1000) / 1000 },
      warning: { probability: gcPressure > 0.5 ? 0.2 : 0, body: (durationMs) => `GC overhead limit approaching: full GC paused ${Math.round(durationMs / 3)} ms, heap ${Math.round(memory * 100)}% used` },
    };
  },
  podEvents: (service, fromElapsedMs, toElapsedMs) => {
    const events: PodEvent[] = [];
    for (let pod = 0; pod < service.replicas; pod++) {
      const cycle = leakCycle(pod);
      // The kill lands on the last millisecond of a cycle, when the heap is full.
      for (let kill = 1; kill * cycle - 1 < toElapsedMs; kill++) {
        if (kill * cycle - 1 >= fromElapsedMs) events.push({ pod, elapsedMs: kill * cycle - 1, kind: 'oom-killed' });
      }
    }
    return events;
  },
};

export const FAULT_MODELS: Readonly<Record<FaultKind, FaultModel>> = {
  'bad-deploy': badDeploy,
  'slow-dependency': slowDependency,
  'error-burst': errorBurst,
  saturation,
  'memory-leak': memoryLeak,
};
