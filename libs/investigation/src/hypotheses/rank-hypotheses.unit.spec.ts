import { bubbleUp } from '../bubbleup/bubbleup';
import { correlateChanges } from '../deployment/deployment-correlation';
import { traceRootCause } from '../dependency/root-cause';
import { buildServiceGraph } from '../dependency/service-graph';
import { bubbleUpFindings, dependencyFinding, deploymentFindings, InvestigationFinding, logFindings, recordFindingData } from '../findings/findings';
import { analyzeLogs } from '../logs/log-evidence';
import { rankHypotheses, toDomainHypothesis } from './rank-hypotheses';

const onset = '2025-03-01T10:00:00Z';
const graph = buildServiceGraph([
  { caller: 'frontend', callee: 'checkout' },
  { caller: 'checkout', callee: 'payments' },
]);

const deploy = deploymentFindings(
  correlateChanges({
    service: 'checkout',
    onset,
    graph,
    changes: [
      { service: 'payments', at: '2025-03-01T09:20:00Z', revision: 'v2.13.2', kind: 'deployment' },
      { service: 'payments', at: '2025-03-01T09:57:00Z', revision: 'v2.14.0', kind: 'deployment' },
    ],
  }),
);
const dependency = dependencyFinding(
  traceRootCause({
    graph,
    symptom: 'frontend',
    anomalies: [
      { service: 'frontend', score: 10, onset: '2025-03-01T10:01:00Z' },
      { service: 'checkout', score: 12, onset: '2025-03-01T10:00:30Z' },
      { service: 'payments', score: 30, onset: '2025-03-01T10:00:00Z', signal: 'latency_p99' },
    ],
  }),
) as InvestigationFinding;

describe('findings', () => {
  it('given each analysis, when turned into findings, then ids are deterministic and subjects name cause and service', () => {
    expect(deploy[0]).toMatchObject({
      findingId: 'deployment:payments:v2.14.0',
      kind: 'deployment',
      subject: { cause: 'bad-deployment', service: 'payments', revision: 'v2.14.0', rollbackRevision: 'v2.13.2' },
    });
    expect(dependency).toMatchObject({ findingId: 'dependency:payments', kind: 'dependency', subject: { cause: 'failing-service', service: 'payments' } });
    expect(dependency.summary).toBe('payments is the deepest anomalous dependency on frontend → checkout → payments (latency_p99)');
  });

  it('given BubbleUp results on a version, a peer and an instance attribute, when turned into findings, then each maps to its cause', () => {
    const report = bubbleUp({
      anomalousTotal: 100,
      baselineTotal: 1000,
      rows: [
        { attribute: 'service.version', value: 'v2.14.0', anomalousCount: 90, baselineCount: 50 },
        { attribute: 'peer.service', value: 'ledger', anomalousCount: 80, baselineCount: 100 },
        { attribute: 'k8s.pod.name', value: 'payments-7f-abc', anomalousCount: 60, baselineCount: 100 },
        { attribute: 'customer_tier', value: 'gold', anomalousCount: 70, baselineCount: 100 },
      ],
    });
    const causes = bubbleUpFindings(report, { service: 'payments', limit: 4 }).map((finding) => [finding.subject.cause, finding.subject.service]);
    expect(causes).toEqual([
      ['bad-deployment', 'payments'],
      ['failing-service', 'ledger'],
      ['segment', 'payments'],
      ['unhealthy-instance', 'payments'],
    ]);
  });

  it('given BubbleUp results on process state attributes, when turned into findings, then a queue depth is saturation and a heap share a leak', () => {
    const report = bubbleUp({
      anomalousTotal: 100,
      baselineTotal: 1000,
      rows: [
        { attribute: 'thread.pool.queue_depth', value: '996', anomalousCount: 80, baselineCount: 0 },
        { attribute: 'process.runtime.jvm.memory.utilization', value: '0.97', anomalousCount: 60, baselineCount: 0 },
        { attribute: 'http.route', value: '/stock', anomalousCount: 50, baselineCount: 100 },
      ],
    });
    const causes = bubbleUpFindings(report, { service: 'checkout', limit: 3 }).map((finding) => finding.subject.cause);
    expect(causes).toEqual(['saturation', 'resource-leak', 'segment']);
  });

  it('given an OOM exception burst, when turned into a log finding, then its cause is a resource leak', () => {
    const rows = Array.from({ length: 6 }, () => ({ body: 'worker died', severityText: 'ERROR', exceptionType: 'java.lang.OutOfMemoryError' }));
    const [finding] = logFindings(analyzeLogs({ rows }), { service: 'payments' });
    expect(finding.subject).toEqual({ cause: 'resource-leak', service: 'payments' });
    expect(finding.kind).toBe('logs');
  });

  it('given a finding, when prepared for RecordFinding, then the subject travels inside the JSON evidence', () => {
    const data = recordFindingData('inv-1', deploy[0]);
    expect(data).toMatchObject({ investigationId: 'inv-1', findingId: 'deployment:payments:v2.14.0', kind: 'deployment' });
    expect(data.evidence.subject).toEqual({ cause: 'bad-deployment', service: 'payments', revision: 'v2.14.0', rollbackRevision: 'v2.13.2' });
  });
});

describe('rankHypotheses', () => {
  it('given a deployment and a dependency finding on the same service, when ranked, then the bad deployment leads with combined confidence', () => {
    const hypotheses = rankHypotheses({ findings: [dependency, ...deploy] });
    expect(hypotheses[0]).toMatchObject({ cause: 'bad-deployment', service: 'payments', revision: 'v2.14.0', rollbackRevision: 'v2.13.2' });
    expect(hypotheses[0].findingIds).toEqual(['dependency:payments', 'deployment:payments:v2.14.0']);
    const alone = rankHypotheses({ findings: deploy })[0];
    expect(hypotheses[0].confidence).toBeGreaterThan(alone.confidence);
    expect(hypotheses[0].summary).toBe('The deployment of v2.14.0 to payments caused the anomaly');
  });

  it('given restarts in the facts and an OOM log finding, when ranked, then the resource leak is supported by both', () => {
    const logs = logFindings(analyzeLogs({ rows: Array.from({ length: 5 }, () => ({ body: 'OOMKilled', severityText: 'ERROR' })) }), { service: 'cart' });
    const [top] = rankHypotheses({ findings: logs, facts: [{ service: 'cart', oomKills: 2, memoryUtilization: 0.97 }] });
    expect(top).toMatchObject({ cause: 'resource-leak', service: 'cart' });
    expect(top.support.map((entry) => entry.source)).toEqual(expect.arrayContaining(['facts:cart', logs[0].findingId]));
    expect(top.summary).toContain('2 OOMKilled, memory at 97% of its limit');
  });

  it('given a propagated symptom, when ranked, then its own hypotheses fall below the root\'s and are marked, unless its own facts back them', () => {
    const symptomFindings: InvestigationFinding[] = [
      { findingId: 'bubbleup:checkout:app.version=v2', kind: 'bubbleup', summary: 'v2', evidence: {}, score: 0.9, subject: { cause: 'bad-deployment', service: 'checkout', revision: 'v2' } },
      { findingId: 'logs:checkout:x', kind: 'logs', summary: 'x', evidence: {}, score: 0.9, subject: { cause: 'error-pattern', service: 'checkout' } },
    ];
    const propagated = [{ service: 'checkout', root: 'payments' }];
    const hypotheses = rankHypotheses({ findings: [...symptomFindings, dependency], propagated });
    expect(hypotheses[0]).toMatchObject({ service: 'payments' });
    expect(hypotheses[0].propagatedFrom).toBeUndefined();
    const checkout = hypotheses.filter((hypothesis) => hypothesis.service === 'checkout');
    expect(checkout.length).toBeGreaterThan(0);
    expect(checkout.every((hypothesis) => hypothesis.propagatedFrom === 'payments')).toBe(true);
    expect(checkout[0].summary).toContain("but this looks like a symptom: its dependency payments's anomaly began first");
    const unmarked = rankHypotheses({ findings: symptomFindings });
    expect(checkout[0].confidence).toBeLessThan(unmarked[0].confidence);

    const own = rankHypotheses({ findings: [], facts: [{ service: 'checkout', oomKills: 3 }], propagated });
    expect(own[0]).toMatchObject({ cause: 'resource-leak', service: 'checkout', confidence: 0.7 });
    expect(own[0].propagatedFrom).toBeUndefined();
  });

  it('given facts alone (no finding), when ranked, then they raise hypotheses without finding ids', () => {
    const hypotheses = rankHypotheses({ findings: [], facts: [{ service: 'api', restarts: 6, cpuUtilization: 0.95 }] });
    expect(hypotheses.map((hypothesis) => hypothesis.cause)).toEqual(['crash-loop', 'saturation']);
    expect(hypotheses[0].findingIds).toEqual([]);
  });

  it('given unrelated weak findings, when ranked, then each stays weak (no cross-service support)', () => {
    const weak: InvestigationFinding[] = [
      { findingId: 'a', kind: 'logs', summary: 'x', evidence: {}, score: 0.2, subject: { cause: 'error-pattern', service: 's1' } },
      { findingId: 'b', kind: 'bubbleup', summary: 'y', evidence: {}, score: 0.2, subject: { cause: 'segment', service: 's2', attribute: 'k', value: 'v' } },
    ];
    const hypotheses = rankHypotheses({ findings: weak });
    expect(hypotheses.every((hypothesis) => hypothesis.confidence < 0.2)).toBe(true);
  });

  it('given a ranked hypothesis, when made a domain Hypothesis, then it carries summary, confidence, findings and the action', () => {
    const [top] = rankHypotheses({ findings: deploy });
    const action = { kind: 'argocd.rollback' as const, target: 'argocd:payments', params: { revision: 'v2.13.2' } };
    expect(toDomainHypothesis(top, action)).toEqual({ summary: top.summary, confidence: top.confidence, findingIds: [...top.findingIds], suggestedAction: action });
  });
});
