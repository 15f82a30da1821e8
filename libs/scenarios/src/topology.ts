/** A call from one operation to another service's operation. */
export interface Call {
  readonly service: string;
  readonly operation: string;
  /** Share of requests that make this call. Default 1. */
  readonly probability?: number;
}

export interface Operation {
  /** `POST /checkout`, or a SQL verb and table for a database. */
  readonly name: string;
  /** Calls made in order; each one's latency adds to the caller's. */
  readonly calls: readonly Call[];
}

export type ServiceRole = 'http' | 'database' | 'external';

export interface ServiceSpec {
  readonly name: string;
  readonly role: ServiceRole;
  readonly language: 'nodejs' | 'go' | 'java' | 'postgresql' | 'http';
  /** The version live before any fault (also the baseline of a bad deploy). */
  readonly version: string;
  readonly replicas: number;
  /** Own time per request (not counting calls): median and log-space sigma. */
  readonly latency: { readonly medianMs: number; readonly sigma: number };
  /** Baseline share of requests that fail on their own (small enough that every caller stays inside a 99.9% SLO). */
  readonly errorRate: number;
  /** CPU utilisation (0..1 of the limit) at the baseline traffic rate. */
  readonly baselineCpu: number;
  readonly operations: readonly Operation[];
  /** Request attributes drawn per span by weight (`payment_provider`, `customer.tier`). */
  readonly requestAttributes?: Readonly<Record<string, readonly (readonly [string, number])[]>>;
}

export interface EntryPoint {
  readonly operation: string;
  readonly weight: number;
}

export interface Topology {
  readonly namespace: string;
  readonly environment: string;
  readonly cluster: string;
  readonly region: string;
  /** The service every trace starts in. */
  readonly entryService: string;
  readonly entryPoints: readonly EntryPoint[];
  readonly services: readonly ServiceSpec[];
}

/**
 * frontend → checkout → payment → payment-provider, checkout → inventory → postgres, frontend → inventory.
 * Databases and the third-party provider get server spans too (as a mesh or eBPF instrumentation reports them), so
 * dependency tracing can reach them through parent/child spans.
 */
export const SHOP_TOPOLOGY: Topology = {
  namespace: 'shop',
  environment: 'production',
  cluster: 'prod-eu-1',
  region: 'eu-west-1',
  entryService: 'frontend',
  entryPoints: [
    { operation: 'POST /api/checkout', weight: 3 },
    { operation: 'GET /api/cart', weight: 3 },
    { operation: 'GET /api/products', weight: 4 },
  ],
  services: [
    {
      name: 'frontend', role: 'http', language: 'nodejs', version: 'v3.4.1', replicas: 3,
      latency: { medianMs: 6, sigma: 0.4 }, errorRate: 0.0001, baselineCpu: 0.25,
      requestAttributes: {
        'customer.tier': [['free', 70], ['pro', 25], ['enterprise', 5]],
        'user_agent.name': [['Chrome', 58], ['Safari', 27], ['Firefox', 9], ['okhttp', 6]],
      },
      operations: [
        { name: 'POST /api/checkout', calls: [{ service: 'checkout', operation: 'POST /checkout' }] },
        { name: 'GET /api/cart', calls: [{ service: 'checkout', operation: 'GET /cart' }] },
        { name: 'GET /api/products', calls: [{ service: 'inventory', operation: 'GET /products' }] },
      ],
    },
    {
      name: 'checkout', role: 'http', language: 'go', version: 'v2.7.0', replicas: 3,
      latency: { medianMs: 9, sigma: 0.45 }, errorRate: 0.0001, baselineCpu: 0.32,
      requestAttributes: { 'cart.currency': [['EUR', 60], ['GBP', 25], ['USD', 15]] },
      operations: [
        { name: 'POST /checkout', calls: [{ service: 'inventory', operation: 'POST /reserve' }, { service: 'payment', operation: 'POST /charge' }] },
        { name: 'GET /cart', calls: [{ service: 'inventory', operation: 'GET /stock', probability: 0.6 }] },
      ],
    },
    {
      name: 'inventory', role: 'http', language: 'java', version: 'v1.12.3', replicas: 2,
      latency: { medianMs: 5, sigma: 0.5 }, errorRate: 0.0001, baselineCpu: 0.3,
      operations: [
        { name: 'POST /reserve', calls: [{ service: 'postgres', operation: 'UPDATE stock' }] },
        { name: 'GET /products', calls: [{ service: 'postgres', operation: 'SELECT products' }] },
        { name: 'GET /stock', calls: [{ service: 'postgres', operation: 'SELECT stock' }] },
      ],
    },
    {
      name: 'payment', role: 'http', language: 'java', version: 'v1.8.3', replicas: 2,
      latency: { medianMs: 11, sigma: 0.4 }, errorRate: 0.0001, baselineCpu: 0.28,
      requestAttributes: { payment_provider: [['stripe_v2', 88], ['adyen', 12]], 'payment.method': [['card', 81], ['wallet', 19]] },
      operations: [{ name: 'POST /charge', calls: [{ service: 'payment-provider', operation: 'POST /v1/charges' }] }],
    },
    {
      name: 'payment-provider', role: 'external', language: 'http', version: '2024-06-20', replicas: 1,
      latency: { medianMs: 110, sigma: 0.3 }, errorRate: 0.0002, baselineCpu: 0.2,
      operations: [{ name: 'POST /v1/charges', calls: [] }],
    },
    {
      name: 'postgres', role: 'database', language: 'postgresql', version: '16.4', replicas: 1,
      latency: { medianMs: 1.5, sigma: 0.6 }, errorRate: 0, baselineCpu: 0.3,
      operations: [
        { name: 'UPDATE stock', calls: [] },
        { name: 'SELECT products', calls: [] },
        { name: 'SELECT stock', calls: [] },
      ],
    },
  ],
};

export function serviceOf(topology: Topology, name: string): ServiceSpec {
  const service = topology.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`topology has no service ${name} (has ${topology.services.map((s) => s.name).join(', ')})`);
  return service;
}

export function operationOf(service: ServiceSpec, name: string): Operation {
  const operation = service.operations.find((candidate) => candidate.name === name);
  if (!operation) throw new Error(`${service.name} has no operation ${name}`);
  return operation;
}
