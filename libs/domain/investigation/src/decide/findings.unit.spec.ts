import { deploymentFinding, meta, opened, spec, T0, T1, concluded } from '../spec-fixtures';

describe('OpenInvestigation / RecordFinding', () => {
  it('opens an investigation into one or more anomalies', () => {
    spec.given([]).when({ type: 'OpenInvestigation', data: { investigationId: 'inv-1', anomalyIds: ['anom-1'] }, metadata: meta('system:saga', T0) })
      .then([opened]);
  });

  it('refuses an investigation into no anomaly', () => {
    spec.given([]).when({ type: 'OpenInvestigation', data: { investigationId: 'inv-1', anomalyIds: [] }, metadata: meta('system:saga', T0) })
      .thenThrows('INVESTIGATION.INVALID_INPUT');
  });

  it('records a finding with its kind, evidence and score', () => {
    const { findingId, kind, summary, evidence, score } = deploymentFinding.data;
    spec.given([opened]).when({ type: 'RecordFinding', data: { investigationId: 'inv-1', findingId, kind, summary, evidence, score }, metadata: meta('ai:investigator', T0) })
      .then([deploymentFinding]);
  });

  it('appends nothing when the same finding is recorded again', () => {
    const { findingId, kind, summary, evidence, score } = deploymentFinding.data;
    spec.given([opened, deploymentFinding]).when({ type: 'RecordFinding', data: { investigationId: 'inv-1', findingId, kind, summary, evidence, score }, metadata: meta() })
      .then([]);
  });

  it('refuses a finding of an unknown kind or with a score outside 0..1', () => {
    spec.given([opened]).when({
      type: 'RecordFinding',
      // @ts-expect-error not a finding kind
      data: { investigationId: 'inv-1', findingId: 'f-2', kind: 'hunch', summary: 's', evidence: {}, score: 0.5 },
      metadata: meta(),
    }).thenThrows('INVESTIGATION.INVALID_INPUT');
    spec.given([opened]).when({
      type: 'RecordFinding',
      data: { investigationId: 'inv-1', findingId: 'f-2', kind: 'logs', summary: 's', evidence: {}, score: 1.5 },
      metadata: meta(),
    }).thenThrows('INVESTIGATION.INVALID_INPUT');
  });

  it('refuses findings after the conclusion with INVESTIGATION.CLOSED', () => {
    spec.given([opened, deploymentFinding, concluded]).when({
      type: 'RecordFinding',
      data: { investigationId: 'inv-1', findingId: 'f-late', kind: 'logs', summary: 'late', evidence: {}, score: 0.2 },
      metadata: meta('ai:investigator', T1),
    }).thenThrows('INVESTIGATION.CLOSED');
  });
});
