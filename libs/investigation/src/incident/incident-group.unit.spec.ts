import { buildServiceGraph } from '../dependency/service-graph';
import { DetectedAnomalyRef, incidentGroup } from './incident-group';

const T = (minute: number) => Date.UTC(2026, 10, 21, 10, minute);

// frontend → checkout → inventory ; checkout → payment → payment-provider ; frontend → catalog ; search (alone)
const graph = buildServiceGraph([
  { caller: 'frontend', callee: 'checkout', calls: 100 },
  { caller: 'checkout', callee: 'inventory', calls: 100 },
  { caller: 'checkout', callee: 'payment', calls: 80 },
  { caller: 'payment', callee: 'payment-provider', calls: 80 },
  { caller: 'frontend', callee: 'catalog', calls: 300 },
]);

let next = 0;
const anomaly = (service: string, signal: string, minute: number, score = 8): DetectedAnomalyRef => ({
  anomalyId: `a${String(++next).padStart(3, '0')}-${service}-${signal}`,
  service,
  signal,
  onset: T(minute),
  score,
});

describe('incidentGroup', () => {
  it('given a lone anomaly, when grouped, then it is its own lead', () => {
    const self = anomaly('checkout', 'error_rate', 0);
    expect(incidentGroup({ self, others: [], graph })).toEqual({ members: [self], lead: self, root: 'checkout' });
  });

  it('given a leak seen first at the edge (frontend, checkout latency) and later in the leaking service, when the frontend anomaly is grouped, then the leaking service leads', () => {
    const frontend = anomaly('frontend', 'latency_p95', 2);
    const checkout = anomaly('checkout', 'latency_p95', 2);
    const inventory = anomaly('inventory', 'latency_p95', 2);
    const group = incidentGroup({ self: frontend, others: [checkout, inventory], graph });
    expect(group.lead).toBe(inventory);
    expect(group.root).toBe('inventory');
    expect(group.members).toEqual([frontend, checkout, inventory]);
  });

  it('given the leaking service\'s investigation gave up, when grouped without it as a possible lead, then the next anomaly up the path leads and the root stays the same', () => {
    const frontend = anomaly('frontend', 'latency_p95', 2);
    const checkout = anomaly('checkout', 'latency_p95', 2);
    const inventory = anomaly('inventory', 'latency_p95', 2);
    const group = incidentGroup({ self: frontend, others: [checkout, inventory], graph, cannotLead: new Set([inventory.anomalyId]) });
    expect(group.lead).toBe(checkout);
    expect(group.root).toBe('inventory');
    expect(group.members).toEqual([frontend, checkout, inventory]);
    // Nobody else could lead: the one that gave up is still named (an incident always has a lead).
    expect(incidentGroup({ self: inventory, others: [], graph, cannotLead: new Set([inventory.anomalyId]) }).lead).toBe(inventory);
  });

  it('given the callee\'s anomaly began after its caller\'s by more than the tolerance, when grouped, then the caller leads (a cause does not start after its effect)', () => {
    const checkout = anomaly('checkout', 'error_rate', 0);
    const inventory = anomaly('inventory', 'error_rate', 5);
    expect(incidentGroup({ self: inventory, others: [checkout], graph }).lead).toBe(checkout);
  });

  it('given a bad deploy\'s errors with traffic shifts downstream and SLO burn rates, when a traffic anomaly is grouped, then the deployed service\'s error anomaly leads', () => {
    const inventoryTraffic = anomaly('inventory', 'throughput', 1, 20);
    const checkoutTraffic = anomaly('checkout', 'throughput', 1, 20);
    const paymentSlo = anomaly('payment', 'slo:availability-99.9', 0, 30);
    const paymentErrors = anomaly('payment', 'error_rate', 1, 9);
    const checkoutErrors = anomaly('checkout', 'error_rate', 1, 9);
    const group = incidentGroup({ self: inventoryTraffic, others: [checkoutTraffic, paymentSlo, paymentErrors, checkoutErrors], graph });
    expect(group.lead).toBe(paymentErrors);
    expect(group.members).toHaveLength(5);
  });

  it('given only traffic anomalies, when grouped, then one of them leads (the earliest on the root)', () => {
    const frontend = anomaly('frontend', 'throughput', 3);
    const checkout = anomaly('checkout', 'throughput', 3);
    expect(incidentGroup({ self: frontend, others: [checkout], graph }).lead).toBe(checkout);
  });

  it('given anomalies on services that do not call each other, or that began far apart, when grouped, then they stay separate incidents', () => {
    const checkout = anomaly('checkout', 'error_rate', 0);
    const search = anomaly('search', 'error_rate', 0);
    const catalog = anomaly('catalog', 'latency_p95', 1);
    const laterInventory = anomaly('inventory', 'error_rate', 40);
    const group = incidentGroup({ self: checkout, others: [search, catalog, laterInventory], graph });
    expect(group.members).toEqual([checkout]);
    expect(group.lead).toBe(checkout);
  });

  it('given a leak detected in inventory and a stronger span-only blip on payment-provider, when a checkout anomaly is grouped, then the detected root leads', () => {
    const checkout = anomaly('checkout', 'latency_p99', 2);
    const inventory = anomaly('inventory', 'latency_p99', 2);
    const serviceAnomalies = [
      { service: 'checkout', score: 20, onset: T(2), signal: 'latency_p99' },
      { service: 'inventory', score: 15, onset: T(2), signal: 'latency_p99' },
      { service: 'payment', score: 6, onset: T(2), signal: 'latency_p99' },
      { service: 'payment-provider', score: 40, onset: T(2), signal: 'latency_p99' },
    ];
    const group = incidentGroup({ self: checkout, others: [inventory], graph, serviceAnomalies });
    expect(group.lead).toBe(inventory);
    expect(group.root).toBe('inventory');
    // Without inventory's detected anomaly the span-only root still guides the lead up its path.
    expect(incidentGroup({ self: checkout, others: [], graph, serviceAnomalies }).lead).toBe(checkout);
  });

  it('given a bad deploy\'s errors in payment and a slow 3-day burn-rate alert on payment-provider below it, when a checkout anomaly is grouped, then the deployed service\'s anomaly leads (an alert over days says nothing of when this fault began)', () => {
    const checkout = anomaly('checkout', 'error_rate', 2);
    const payment = anomaly('payment', 'error_rate', 1);
    const providerBurn: DetectedAnomalyRef = { ...anomaly('payment-provider', 'slo:availability-99.9', -3 * 24 * 60, 0.6), end: T(3) };
    const group = incidentGroup({ self: checkout, others: [payment, providerBurn], graph });
    expect(group.members).toEqual([checkout, providerBurn, payment]);
    expect(group.lead).toBe(payment);
  });

  it('given a service the span evidence finds anomalous between two detected ones, when grouped, then it bridges them', () => {
    const frontend = anomaly('frontend', 'latency_p95', 2);
    const inventory = anomaly('inventory', 'latency_p95', 1);
    expect(incidentGroup({ self: frontend, others: [inventory], graph }).members).toEqual([frontend]);
    const bridged = incidentGroup({ self: frontend, others: [inventory], graph, serviceAnomalies: [{ service: 'checkout', score: 12, onset: T(2) }] });
    expect(bridged.members).toEqual([frontend, inventory]);
    expect(bridged.lead).toBe(inventory);
  });

  it('given the root service has no detected anomaly, when grouped, then the deepest detected service on the path to it leads', () => {
    const frontend = anomaly('frontend', 'error_rate', 2);
    const checkout = anomaly('checkout', 'error_rate', 2);
    const group = incidentGroup({ self: frontend, others: [checkout], graph, serviceAnomalies: [{ service: 'payment', score: 40, onset: T(1) }, { service: 'payment-provider', score: 60, onset: T(1) }] });
    expect(group.root).toBe('payment-provider');
    expect(group.lead).toBe(checkout);
  });

  it('given a RED and an SLO anomaly on the lead service, when grouped, then the RED one leads whatever the order', () => {
    const slo = anomaly('payment', 'slo:availability-99.9', 0, 50);
    const errors = anomaly('payment', 'error_rate', 1);
    expect(incidentGroup({ self: slo, others: [errors], graph }).lead).toBe(errors);
    expect(incidentGroup({ self: errors, others: [slo], graph }).lead).toBe(errors);
  });

  it('given burn-rate alerts whose hour-long windows end where the RED anomalies begin, when an alert is grouped, then it joins the incident and a RED anomaly leads', () => {
    const slo = (service: string): DetectedAnomalyRef => ({ ...anomaly(service, 'slo:availability-99.9', -55, 0.9), end: T(6) });
    const frontendSlo = slo('frontend');
    const inventorySlo = slo('inventory');
    const inventoryErrors = anomaly('inventory', 'error_rate', 4);
    const frontendErrors = anomaly('frontend', 'error_rate', 4);
    const group = incidentGroup({ self: frontendSlo, others: [inventorySlo, inventoryErrors, frontendErrors], graph, serviceAnomalies: [{ service: 'checkout', score: 9, onset: T(4) }] });
    expect(group.members).toHaveLength(4);
    expect(group.lead).toBe(inventoryErrors);
    expect(incidentGroup({ self: frontendSlo, others: [], graph }).lead).toBe(frontendSlo);
  });

  it('given a burn-rate alert and an anomaly of an earlier fault inside its hour but long before it fired, when grouped, then they stay apart', () => {
    const slo: DetectedAnomalyRef = { ...anomaly('inventory', 'slo:availability-99.9', 0, 0.9), end: T(60) };
    const earlier = anomaly('checkout', 'error_rate', 5);
    expect(incidentGroup({ self: slo, others: [earlier], graph }).members).toEqual([slo]);
  });

  it('given the same anomalies seen from each member, when grouped, then every member picks the same lead', () => {
    const all = [anomaly('frontend', 'error_rate', 4), anomaly('checkout', 'error_rate', 4), anomaly('payment', 'error_rate', 4), anomaly('checkout', 'latency_p95', 4)];
    const leads = all.map((self) => incidentGroup({ self, others: all, graph }).lead.anomalyId);
    expect(new Set(leads).size).toBe(1);
    expect(leads[0]).toContain('payment');
  });
});
