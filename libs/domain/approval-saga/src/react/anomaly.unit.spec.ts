import { CORRELATION, T0, anomalyDetected, recorded, sagaSpecification } from '../spec-fixtures';

const saga = sagaSpecification();

describe('approval saga: anomalies and investigations', () => {
  it('given a new anomaly, opens an investigation named after the event and tells the responders on the log channel', () => {
    const outputs = saga.given([]).when(anomalyDetected);
    expect(outputs).toEqual([
      {
        type: 'Send',
        aggregate: 'investigation',
        id: 'investigation:e-anomaly',
        command: {
          type: 'OpenInvestigation',
          data: { investigationId: 'investigation:e-anomaly', anomalyIds: ['anom-1'] },
          metadata: { now: T0, actor: 'system:saga', causationId: 'e-anomaly', correlationId: CORRELATION, idempotencyKey: 'saga:e-anomaly:OpenInvestigation' },
        },
      },
      expect.objectContaining({
        type: 'Notify',
        key: 'saga:e-anomaly:notify:anomaly:0',
        channel: 'log',
        target: { role: 'responder', channel: 'log' },
        subject: 'Anomaly on payments-api POST /charge: latency_p99 (error)',
        severity: 'warning',
        refs: { anomalyId: 'anom-1', investigationId: 'investigation:e-anomaly' },
      }),
    ]);
  });

  it('given a critical anomaly, also pages the responders through PagerDuty', () => {
    const critical = { ...anomalyDetected, data: { ...(anomalyDetected.data as object), severity: 'critical' } };
    const notifies = saga.given([]).when(critical).filter((o) => o.type === 'Notify');
    expect(notifies.map((n) => n.type === 'Notify' && [n.channel, n.severity, n.key])).toEqual([
      ['log', 'critical', 'saga:e-anomaly:notify:anomaly:0'],
      ['pagerduty', 'critical', 'saga:e-anomaly:notify:page:0'],
    ]);
  });

  it('pages on the severities the options name', () => {
    const outputs = sagaSpecification({ options: { pageSeverities: ['error', 'critical'] } }).given([]).when(anomalyDetected);
    expect(outputs.some((o) => o.type === 'Notify' && o.channel === 'pagerduty')).toBe(true);
  });

  it('given a severity raised to critical by hand, pages once; a raise within the paging severities does not page again', () => {
    const raised = (from: string, to: string) =>
      recorded('anomaly-anom-1', { type: 'AnomalyEscalatedSeverity', data: { anomalyId: 'anom-1', from, to, by: 'oncall-ann', reason: 'checkout down', at: T0 } }, `e-raise-${to}`);
    expect(saga.given([anomalyDetected]).when(raised('error', 'critical'))).toEqual([
      expect.objectContaining({ type: 'Notify', channel: 'pagerduty', subject: 'Anomaly anom-1 is now critical', message: 'oncall-ann raised it from error to critical: checkout down' }),
    ]);
    expect(sagaSpecification({ options: { pageSeverities: ['error', 'critical'] } }).given([anomalyDetected]).when(raised('error', 'critical'))).toEqual([]);
  });

  it('given a concluded investigation, tells what was found (proposing is the proposer component\'s work)', () => {
    const concluded = recorded(
      'investigation-inv-1',
      {
        type: 'InvestigationConcluded',
        data: {
          investigationId: 'inv-1',
          hypotheses: [{ rank: 1, summary: 'bad deploy v42', confidence: 0.9, suggestedAction: { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v41' } } }],
          concludedBy: 'ai:investigator',
          at: T0,
        },
      },
      'e-concluded',
    );
    expect(saga.given([]).when(concluded)).toEqual([
      expect.objectContaining({
        type: 'Notify',
        channel: 'log',
        subject: 'Investigation inv-1 concluded',
        message: 'Most likely: bad deploy v42 (confidence 0.9); suggested argocd.rollback on argocd:payments-api',
      }),
    ]);
  });

  it('ignores events it has no reaction to', () => {
    expect(saga.given([]).when(recorded('anomaly-anom-1', { type: 'AnomalyAcknowledged', data: { anomalyId: 'anom-1', by: 'ann', at: T0 } }, 'e-ack'))).toEqual([]);
  });
});
