import { FAULT_MODELS, type ChangeEventBody, type ErrorSpec, type FaultKind, type FaultLabel, type FaultModel, type PodCondition } from './faults';
import { hash32, SeededRandom } from './random';
import { operationOf, serviceOf, SHOP_TOPOLOGY, type ServiceSpec, type Topology } from './topology';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** One pod of one version of a service: the OTLP Resource its telemetry is sent under. */
export interface PodResource {
  readonly key: string;
  readonly service: string;
  readonly attributes: Readonly<Attributes>;
}

/** OTLP SpanKind numbers. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

export interface GeneratedSpan {
  readonly resource: PodResource;
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly parentSpanId?: Uint8Array;
  readonly name: string;
  readonly kind: (typeof SPAN_KIND)[keyof typeof SPAN_KIND];
  /** Unix microseconds. */
  readonly startUs: number;
  readonly endUs: number;
  readonly attributes: Attributes;
  readonly error?: { readonly message: string; readonly exception?: ErrorSpec };
}

/** OTLP SeverityNumber values used here. */
export const SEVERITY = { INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;
export type SeverityText = keyof typeof SEVERITY;

export interface GeneratedLog {
  readonly resource: PodResource;
  readonly timeUs: number;
  readonly severityText: SeverityText;
  readonly body: string;
  readonly attributes: Attributes;
  readonly traceId?: Uint8Array;
  readonly spanId?: Uint8Array;
}

export interface GeneratedMetricPoint {
  readonly resource: PodResource;
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly type: 'gauge' | 'sum';
  readonly timeUs: number;
  /** Start of a cumulative sum (the pod's start). */
  readonly startUs: number;
  readonly value: number;
}

export interface TelemetrySlice {
  readonly fromMs: number;
  readonly toMs: number;
  readonly spans: GeneratedSpan[];
  readonly logs: GeneratedLog[];
  readonly metrics: GeneratedMetricPoint[];
}

/** The metrics every pod reports each interval (names as the kubeletstats / k8scluster receivers and semconv use). */
export const SCENARIO_METRICS = {
  cpuUtilization: 'k8s.pod.cpu_limit_utilization',
  memoryUtilization: 'k8s.pod.memory_limit_utilization',
  memoryUsage: 'process.runtime.memory.usage',
  restarts: 'k8s.container.restarts',
  desiredReplicas: 'k8s.deployment.desired',
  availableReplicas: 'k8s.deployment.available',
} as const;

export interface FaultSpec {
  readonly kind: FaultKind;
  /** Onset: epoch ms or a Date. */
  readonly at: number | Date;
  /** The root cause service. Default: the fault kind's usual victim in the shop topology. */
  readonly service?: string;
}

export interface ScenarioOptions {
  /** Same seed, same telemetry, byte for byte. Default 1. */
  readonly seed?: number;
  readonly topology?: Topology;
  /** Traces started per second at baseline traffic (Poisson). Default 20. */
  readonly tracesPerSecond?: number;
  /** No fault: healthy traffic only. */
  readonly fault?: FaultSpec | null;
  /** Share of server spans that also write an INFO access log. Default 0.05. */
  readonly accessLogSampling?: number;
  /** Pod metrics every this many ms. Default 10 000. */
  readonly metricIntervalMs?: number;
}

const MEMORY_LIMIT_BYTES = 2 * 1024 ** 3;
const USER_COUNT = 50_000;
/** A caller fails too when its callee failed, this often (the rest are retried or degraded gracefully). */
const ERROR_PROPAGATION = 0.9;

interface ActiveFault {
  readonly model: FaultModel;
  readonly service: ServiceSpec;
  readonly onsetMs: number;
}

/**
 * A deterministic shop under traffic, optionally with one injected fault. Telemetry of any time range can be asked for,
 * in any order and in any slicing: each second is generated from (seed, second) alone, so history can be produced fast
 * with past timestamps and live traffic second by second, and both agree.
 */
export class Scenario {
  readonly seed: number;
  readonly topology: Topology;
  readonly tracesPerSecond: number;
  readonly label: FaultLabel | null;
  private readonly fault: ActiveFault | null;
  private readonly accessLogSampling: number;
  private readonly metricIntervalMs: number;
  private readonly resources = new Map<string, PodResource>();

  constructor(options: ScenarioOptions = {}) {
    this.seed = options.seed ?? 1;
    this.topology = options.topology ?? SHOP_TOPOLOGY;
    this.tracesPerSecond = options.tracesPerSecond ?? 20;
    this.accessLogSampling = options.accessLogSampling ?? 0.05;
    this.metricIntervalMs = options.metricIntervalMs ?? 10_000;
    this.fault = options.fault ? activate(options.fault, this.topology) : null;
    this.label = this.fault ? labelOf(this.fault, this.topology) : null;
  }

  /** The change events the scenario implies (a bad deploy's deployment), to POST to /webhooks/changes. */
  changeEvents(): ChangeEventBody[] {
    const fault = this.fault;
    return fault?.model.changeEvents?.(fault.service, fault.onsetMs, this.topology) ?? [];
  }

  /** Traffic multiplier at a moment (1 = baseline). */
  trafficAt(timeMs: number): number {
    const elapsed = this.elapsed(timeMs);
    return elapsed === null ? 1 : (this.fault?.model.trafficFactor?.(elapsed) ?? 1);
  }

  /** How one pod behaves at one moment. */
  conditionOf(service: ServiceSpec, pod: number, timeMs: number): PodCondition {
    const traffic = this.trafficAt(timeMs);
    const base: PodCondition = {
      version: service.version,
      latencyFactor: 1,
      errorRate: service.errorRate,
      error: genericError(service),
      requestAttributes: service.requestAttributes ?? {},
      stateAttributes: {},
      // Services other than a saturated root have headroom: load raises their CPU a quarter as much.
      cpuUtilization: Math.min(0.97, service.baselineCpu * (1 + 0.25 * (traffic - 1))),
      memoryUtilization: 0.5 + 0.04 * Math.sin(timeMs / 600_000 + pod),
      restarts: 0,
    };
    const fault = this.fault;
    const elapsedMs = this.elapsed(timeMs);
    if (!fault || elapsedMs === null || fault.service.name !== service.name) return base;
    return fault.model.affect(base, { service, pod, elapsedMs, traffic });
  }

  /** Spans, logs and metrics whose timestamps fall in [fromMs, toMs). */
  generate(fromMs: number, toMs: number): TelemetrySlice {
    const slice: TelemetrySlice = { fromMs, toMs, spans: [], logs: [], metrics: [] };
    for (let second = Math.floor(fromMs / 1000); second * 1000 < toMs; second++) this.generateSecond(second, slice);
    this.generateMetrics(slice);
    this.generatePodEvents(slice);
    return slice;
  }

  private elapsed(timeMs: number): number | null {
    return this.fault && timeMs >= this.fault.onsetMs ? timeMs - this.fault.onsetMs : null;
  }

  private generateSecond(second: number, slice: TelemetrySlice): void {
    const random = new SeededRandom(this.seed, second);
    const count = random.poisson(this.tracesPerSecond * this.trafficAt(second * 1000));
    const entry = serviceOf(this.topology, this.topology.entryService);
    const starts = Array.from({ length: count }, () => second * 1000 + random.next() * 1000).sort((a, b) => a - b);
    for (const startMs of starts) {
      const operation = random.weighted(this.topology.entryPoints.map((point) => [point.operation, point.weight] as const));
      const trace = { random, traceId: random.bytes(16), userId: `user-${random.int(USER_COUNT)}`, slice };
      // Drawn for every trace, kept only inside the window, so a slice never changes the random sequence.
      const keep = startMs >= slice.fromMs && startMs < slice.toMs;
      const spans = slice.spans.length;
      const logs = slice.logs.length;
      this.serve(trace, entry, operation, undefined, startMs * 1000);
      if (!keep) {
        slice.spans.length = spans;
        slice.logs.length = logs;
      }
    }
  }

  /** One server span of `service` (and the client spans of its calls, recursively). Returns its end and outcome. */
  private serve(
    trace: { random: SeededRandom; traceId: Uint8Array; userId: string; slice: TelemetrySlice },
    service: ServiceSpec,
    operationName: string,
    parentSpanId: Uint8Array | undefined,
    startUs: number,
  ): { endUs: number; failed: ErrorSpec | null } {
    const { random, slice } = trace;
    const pod = random.int(service.replicas);
    const condition = this.conditionOf(service, pod, startUs / 1000);
    const resource = this.resourceOf(service, pod, condition.version);
    const spanId = random.bytes(8);
    const attributes: Attributes = { ...requestAttributes(service, operationName, trace.userId), 'app.version': condition.version };
    for (const [name, values] of Object.entries(condition.requestAttributes)) attributes[name] = random.weighted(values);
    Object.assign(attributes, condition.stateAttributes);

    const ownMs = random.logNormal(service.latency.medianMs, service.latency.sigma) * condition.latencyFactor;
    let cursor = startUs + ownMs * 300; // 30% of its own work before the first call
    let failed: ErrorSpec | null = null;
    let upstream: string | null = null;
    for (const call of operationOf(service, operationName).calls) {
      if (call.probability !== undefined && !random.chance(call.probability)) continue;
      const callee = serviceOf(this.topology, call.service);
      const clientId = random.bytes(8);
      const clientStart = cursor + 50;
      const result = this.serve(trace, callee, call.operation, clientId, clientStart + 200 + random.next() * 300);
      const clientEnd = result.endUs + 150 + random.next() * 300;
      slice.spans.push({
        resource, traceId: trace.traceId, spanId: clientId, parentSpanId: spanId, name: call.operation, kind: SPAN_KIND.client,
        startUs: Math.round(clientStart), endUs: Math.round(clientEnd),
        attributes: clientAttributes(callee, call.operation, result.failed),
        ...(result.failed ? { error: { message: `${callee.name} answered ${result.failed.httpStatus}` } } : {}),
      });
      cursor = clientEnd + 50;
      if (result.failed && random.chance(ERROR_PROPAGATION)) {
        failed = { type: 'UpstreamError', message: `${call.service} ${call.operation} failed with ${result.failed.httpStatus}`, httpStatus: 502, stacktrace: '' };
        upstream = callee.name;
        break;
      }
    }
    if (!failed) {
      const segment = condition.failingSegment;
      const segmentFails = segment !== undefined && attributes[segment.attribute] === segment.value && random.chance(segment.errorRate);
      if (segmentFails || random.chance(condition.errorRate)) failed = condition.error;
    }
    const endUs = Math.round(cursor + ownMs * 700);
    const durationMs = (endUs - startUs) / 1000;
    Object.assign(attributes, statusAttributes(service, operationName, failed));
    slice.spans.push({
      resource, traceId: trace.traceId, spanId, ...(parentSpanId ? { parentSpanId } : {}), name: operationName, kind: SPAN_KIND.server,
      startUs: Math.round(startUs), endUs, attributes,
      ...(failed ? { error: { message: failed.message, ...(upstream ? {} : { exception: failed }) } } : {}),
    });

    const log = (severityText: SeverityText, body: string, extra: Attributes = {}) =>
      slice.logs.push({ resource, timeUs: endUs, severityText, body, attributes: { 'code.function': operationName, ...extra }, traceId: trace.traceId, spanId });
    if (failed && upstream) log('WARN', `call to ${upstream} failed: ${failed.message}`, { 'peer.service': upstream });
    else if (failed) log('ERROR', `${failed.type}: ${failed.message}`, exceptionAttributes(failed));
    else if (condition.warning && random.chance(condition.warning.probability)) log('WARN', condition.warning.body(durationMs));
    else if (random.chance(this.accessLogSampling)) log('INFO', `${operationName} ${attributes['http.response.status_code'] ?? 'ok'} in ${durationMs.toFixed(1)} ms`);
    return { endUs, failed };
  }

  private generateMetrics(slice: TelemetrySlice): void {
    const step = this.metricIntervalMs;
    for (let timeMs = Math.ceil(slice.fromMs / step) * step; timeMs < slice.toMs; timeMs += step) {
      const timeUs = timeMs * 1000;
      for (const service of this.topology.services) {
        let available = 0;
        for (let pod = 0; pod < service.replicas; pod++) {
          const condition = this.conditionOf(service, pod, timeMs);
          const resource = this.resourceOf(service, pod, condition.version);
          const point = (name: string, unit: string, description: string, value: number, type: 'gauge' | 'sum' = 'gauge') =>
            slice.metrics.push({ resource, name, unit, description, type, timeUs, startUs: (this.fault?.onsetMs ?? slice.fromMs) * 1000, value });
          point(SCENARIO_METRICS.cpuUtilization, '1', 'Pod CPU usage as a share of its limit', round3(condition.cpuUtilization));
          point(SCENARIO_METRICS.memoryUtilization, '1', 'Pod memory usage as a share of its limit', round3(condition.memoryUtilization));
          point(SCENARIO_METRICS.memoryUsage, 'By', 'Process memory in use', Math.round(condition.memoryUtilization * MEMORY_LIMIT_BYTES));
          point(SCENARIO_METRICS.restarts, '{restart}', 'Container restarts', condition.restarts, 'sum');
          if (condition.errorRate < 0.5) available++;
        }
        const deployment = this.deploymentResource(service);
        const point = (name: string, value: number) =>
          slice.metrics.push({ resource: deployment, name, unit: '{pod}', description: 'Deployment replicas', type: 'gauge', timeUs, startUs: timeUs, value });
        point(SCENARIO_METRICS.desiredReplicas, service.replicas);
        point(SCENARIO_METRICS.availableReplicas, available);
      }
    }
  }

  private generatePodEvents(slice: TelemetrySlice): void {
    const fault = this.fault;
    if (!fault?.model.podEvents) return;
    const from = Math.max(0, slice.fromMs - fault.onsetMs);
    const to = slice.toMs - fault.onsetMs;
    if (to <= 0) return;
    for (const event of fault.model.podEvents(fault.service, from, to)) {
      const timeMs = fault.onsetMs + event.elapsedMs;
      const condition = this.conditionOf(fault.service, event.pod, timeMs);
      const resource = this.resourceOf(fault.service, event.pod, condition.version);
      const container = fault.service.name;
      slice.logs.push({
        resource, timeUs: timeMs * 1000, severityText: 'FATAL',
        body: 'java.lang.OutOfMemoryError: Java heap space',
        attributes: exceptionAttributes(condition.error),
      }, {
        resource, timeUs: timeMs * 1000 + 500_000, severityText: 'ERROR',
        body: `Container ${container} in pod ${resource.attributes['k8s.pod.name']} was OOMKilled (exit code 137); back-off restarting`,
        attributes: { 'k8s.event.reason': 'OOMKilled', 'k8s.container.name': container, 'process.exit.code': 137 },
      });
    }
  }

  private resourceOf(service: ServiceSpec, pod: number, version: string): PodResource {
    const key = `${service.name}/${version}/${pod}`;
    let resource = this.resources.get(key);
    if (!resource) {
      const template = podTemplateHash(service.name, version);
      const podName = `${service.name}-${template}-${podSuffix(`${key}/${this.seed}`)}`;
      const node = `ip-10-0-${1 + (hash32(podName) % 3)}-${10 + (hash32(podName) % 200)}.${this.topology.region}.compute.internal`;
      resource = {
        key,
        service: service.name,
        attributes: {
          ...this.commonResource(service, version),
          'service.instance.id': podName,
          'k8s.pod.name': podName,
          'k8s.node.name': node,
          'host.name': podName,
          'telemetry.sdk.name': service.role === 'http' ? 'opentelemetry' : 'beyla',
          'telemetry.sdk.language': service.language,
        },
      };
      this.resources.set(key, resource);
    }
    return resource;
  }

  private deploymentResource(service: ServiceSpec): PodResource {
    const key = `${service.name}/deployment`;
    let resource = this.resources.get(key);
    if (!resource) {
      resource = { key, service: service.name, attributes: this.commonResource(service, service.version) };
      this.resources.set(key, resource);
    }
    return resource;
  }

  private commonResource(service: ServiceSpec, version: string): Attributes {
    const topology = this.topology;
    return {
      'service.name': service.name,
      'service.namespace': topology.namespace,
      'service.version': version,
      'deployment.environment': topology.environment,
      'deployment.environment.name': topology.environment,
      'k8s.cluster.name': topology.cluster,
      'k8s.namespace.name': topology.namespace,
      'k8s.deployment.name': service.name,
      'cloud.region': topology.region,
    };
  }
}

function activate(spec: FaultSpec, topology: Topology): ActiveFault {
  const model = FAULT_MODELS[spec.kind];
  if (!model) throw new Error(`unknown fault kind ${String(spec.kind)}`);
  return { model, service: serviceOf(topology, spec.service ?? model.defaultService), onsetMs: typeof spec.at === 'number' ? spec.at : spec.at.getTime() };
}

function labelOf(fault: ActiveFault, topology: Topology): FaultLabel {
  return {
    kind: fault.model.kind,
    rootCauseService: fault.service.name,
    expectedAction: fault.model.expectedAction,
    onset: new Date(fault.onsetMs).toISOString(),
    symptoms: fault.model.symptoms,
    affectedServices: [fault.service.name, ...callersOf(topology, fault.service.name)],
    markers: fault.model.markers(fault.service),
    description: fault.model.describe(fault.service.name),
  };
}

/** Every service that calls `service`, directly or not, nearest first. */
export function callersOf(topology: Topology, service: string): string[] {
  const found: string[] = [];
  let frontier = [service];
  while (frontier.length > 0) {
    const next = topology.services
      .filter((candidate) => candidate.operations.some((operation) => operation.calls.some((call) => frontier.includes(call.service))))
      .map((candidate) => candidate.name)
      .filter((name) => name !== service && !found.includes(name));
    found.push(...next);
    frontier = next;
  }
  return found;
}

function genericError(service: ServiceSpec): ErrorSpec {
  return service.role === 'database'
    ? { type: 'PSQLException', message: 'canceling statement due to statement timeout', httpStatus: 500, stacktrace: '' }
    : { type: 'InternalServerError', message: `${service.name} failed to handle the request`, httpStatus: 500, stacktrace: '' };
}

function requestAttributes(service: ServiceSpec, operation: string, userId: string): Attributes {
  if (service.role === 'database') {
    const [verb, table] = operation.split(' ');
    return { 'db.system': 'postgresql', 'db.namespace': 'shop', 'db.operation.name': verb, 'db.collection.name': table };
  }
  const [method, route] = operation.split(' ');
  return { 'http.request.method': method, 'http.route': route, 'url.path': route, 'url.scheme': 'https', 'server.address': `${service.name}.shop.svc`, 'user.id': userId };
}

function statusAttributes(service: ServiceSpec, operation: string, failed: ErrorSpec | null): Attributes {
  if (service.role === 'database') return failed ? { 'error.type': failed.type } : {};
  const ok = operation.startsWith('POST') ? 201 : 200;
  return failed ? { 'http.response.status_code': failed.httpStatus, 'error.type': String(failed.httpStatus) } : { 'http.response.status_code': ok };
}

function clientAttributes(callee: ServiceSpec, operation: string, failed: ErrorSpec | null): Attributes {
  const common: Attributes = { 'peer.service': callee.name, 'server.address': callee.role === 'external' ? 'api.stripe.com' : `${callee.name}.shop.svc` };
  if (callee.role === 'database') {
    const [verb, table] = operation.split(' ');
    return { ...common, 'db.system': 'postgresql', 'db.operation.name': verb, 'db.collection.name': table, 'server.port': 5432 };
  }
  const [method, route] = operation.split(' ');
  return { ...common, 'http.request.method': method, 'url.full': `https://${common['server.address']}${route}`, 'http.response.status_code': failed ? failed.httpStatus : 200 };
}

function exceptionAttributes(error: ErrorSpec): Attributes {
  return {
    'exception.type': error.type,
    'exception.message': error.message,
    ...(error.stacktrace ? { 'exception.stacktrace': error.stacktrace } : {}),
  };
}

const POD_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function podTemplateHash(service: string, version: string): string {
  return encodeWith(hash32(`${service}@${version}`), 10);
}

function podSuffix(key: string): string {
  return encodeWith(hash32(key), 5);
}

function encodeWith(value: number, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out += POD_ALPHABET[rest % POD_ALPHABET.length];
    rest = Math.floor(rest / POD_ALPHABET.length) || hash32(out);
  }
  return out;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
