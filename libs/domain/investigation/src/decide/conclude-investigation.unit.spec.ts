import { concluded, deploymentFinding, meta, opened, spec, T1 } from '../spec-fixtures';

describe('ConcludeInvestigation', () => {
  it('ranks the hypotheses by confidence, highest first', () => {
    spec.given([opened, deploymentFinding]).when({
      type: 'ConcludeInvestigation',
      data: {
        investigationId: 'inv-1',
        hypotheses: [
          { summary: 'noisy neighbour on the node', confidence: 0.3 },
          {
            summary: 'bad deploy',
            confidence: 0.9,
            findingIds: ['f-deploy'],
            suggestedAction: { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.13.2' } },
          },
          { summary: 'database saturation', confidence: 0.3 },
        ],
      },
      metadata: meta('ai:investigator', T1),
    }).then([
      {
        type: 'InvestigationConcluded',
        data: {
          investigationId: 'inv-1',
          hypotheses: [
            {
              rank: 1,
              summary: 'bad deploy',
              confidence: 0.9,
              findingIds: ['f-deploy'],
              suggestedAction: { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.13.2' } },
            },
            { rank: 2, summary: 'noisy neighbour on the node', confidence: 0.3 },
            { rank: 3, summary: 'database saturation', confidence: 0.3 },
          ],
          concludedBy: 'ai:investigator',
          at: T1,
        },
      },
    ]);
  });

  it('refuses a hypothesis citing a finding that was never recorded', () => {
    spec.given([opened]).when({
      type: 'ConcludeInvestigation',
      data: { investigationId: 'inv-1', hypotheses: [{ summary: 'bad deploy', confidence: 0.9, findingIds: ['f-ghost'] }] },
      metadata: meta(),
    }).thenThrows('INVESTIGATION.UNKNOWN_FINDING');
  });

  it('refuses a conclusion without hypotheses', () => {
    spec.given([opened]).when({ type: 'ConcludeInvestigation', data: { investigationId: 'inv-1', hypotheses: [] }, metadata: meta() })
      .thenThrows('INVESTIGATION.INVALID_INPUT');
  });

  it('refuses to conclude twice with INVESTIGATION.CLOSED', () => {
    spec.given([opened, deploymentFinding, concluded]).when({
      type: 'ConcludeInvestigation',
      data: { investigationId: 'inv-1', hypotheses: [{ summary: 'again', confidence: 0.5 }] },
      metadata: meta(),
    }).thenThrows('INVESTIGATION.CLOSED');
  });

  describe('incident grouping', () => {
    const own = opened.data.anomalyIds[0];
    const conclude = (incident: unknown) => ({
      type: 'ConcludeInvestigation' as const,
      data: { investigationId: 'inv-1', hypotheses: [{ summary: 'part of the payments incident', confidence: 0 }], incident: incident as never },
      metadata: meta('ai:investigator', T1),
    });

    it('records the anomalies found to be one fault and their lead', () => {
      spec.given([opened]).when(conclude({ leadAnomalyId: 'anomaly-payments', anomalyIds: [own, 'anomaly-payments'] })).then([
        {
          type: 'InvestigationConcluded',
          data: {
            investigationId: 'inv-1',
            hypotheses: [{ rank: 1, summary: 'part of the payments incident', confidence: 0 }],
            incident: { leadAnomalyId: 'anomaly-payments', anomalyIds: [own, 'anomaly-payments'] },
            concludedBy: 'ai:investigator',
            at: T1,
          },
        },
      ]);
    });

    it('refuses a lead that is not among the anomalies, a group without the investigation\'s own anomaly, and an empty group', () => {
      spec.given([opened]).when(conclude({ leadAnomalyId: 'anomaly-elsewhere', anomalyIds: [own] })).thenThrows('INVESTIGATION.INVALID_INPUT');
      spec.given([opened]).when(conclude({ leadAnomalyId: 'anomaly-payments', anomalyIds: ['anomaly-payments'] })).thenThrows('INVESTIGATION.INVALID_INPUT');
      spec.given([opened]).when(conclude({ leadAnomalyId: own, anomalyIds: [] })).thenThrows('INVESTIGATION.INVALID_INPUT');
      spec.given([opened]).when(conclude({ leadAnomalyId: own, anomalyIds: [own, 7] })).thenThrows('INVESTIGATION.INVALID_INPUT');
    });
  });
});
