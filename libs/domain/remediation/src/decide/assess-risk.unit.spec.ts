import { ProposalModified } from '../events';
import { assessedLow, meta, rollbackProposedWithContext, scaleProposed, spec, T0, T1 } from '../spec-fixtures';

const modifiedToV2: ProposalModified = {
  type: 'ProposalModified',
  data: { proposalId: 'prop-1', by: 'carol', changes: { replicas: 8 }, params: { replicas: 8 }, previousVersion: 1, newVersion: 2, at: T1 },
};

describe('AssessRisk', () => {
  it('records the tier and factors for the current version', () => {
    spec.given([scaleProposed]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 1, tier: 'low', factors: [{ name: 'action-tier', detail: 'k8s.scale is low' }] },
      metadata: meta('system:risk', T0),
    }).then([assessedLow]);
  });

  it('refuses to assess a version that is no longer current with PROPOSAL.STALE_VERSION', () => {
    spec.given([scaleProposed, assessedLow, modifiedToV2]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 1, tier: 'low', factors: [] },
      metadata: meta('system:risk'),
    }).thenThrows('PROPOSAL.STALE_VERSION');
  });

  it('assesses a modified proposal again at its new version', () => {
    spec.given([scaleProposed, assessedLow, modifiedToV2]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 2, tier: 'medium', factors: [{ name: 'replicas-doubled' }] },
      metadata: meta('system:risk', T1),
    }).then([
      {
        type: 'RiskAssessed',
        data: { proposalId: 'prop-1', version: 2, tier: 'medium', factors: [{ name: 'replicas-doubled' }], assessedBy: 'system:risk', at: T1 },
      },
    ]);
  });

  it('refuses a second assessment of the same version with PROPOSAL.ALREADY_ASSESSED', () => {
    spec.given([scaleProposed, assessedLow]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 1, tier: 'info', factors: [] },
      metadata: meta('system:risk'),
    }).thenThrows('PROPOSAL.ALREADY_ASSESSED');
  });

  it('refuses to assess a proposal that does not exist with PROPOSAL.NOT_FOUND', () => {
    spec.given([]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 1, tier: 'low', factors: [] },
      metadata: meta('system:risk'),
    }).thenThrows('PROPOSAL.NOT_FOUND');
  });

  it('records the blast radius and the dry run the approver will see with the tier', () => {
    const blastRadius = { service: 'payments-api', environment: 'prod', trafficShare: 0.4, dependents: 2 };
    const { dryRun } = rollbackProposedWithContext.data;
    spec.given([rollbackProposedWithContext]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 1, tier: 'high', factors: [{ name: 'traffic-share' }], blastRadius, dryRun },
      metadata: meta('system:saga', T1),
    }).then([
      {
        type: 'RiskAssessed',
        data: { proposalId: 'prop-1', version: 1, tier: 'high', factors: [{ name: 'traffic-share' }], blastRadius, dryRun, assessedBy: 'system:saga', at: T1 },
      },
    ]);
  });

  it('assesses a proposal recorded before risk contexts existed (old events still evolve)', () => {
    const { riskContext: _riskContext, dryRun: _dryRun, ...legacy } = rollbackProposedWithContext.data;
    spec.given([{ type: 'RemediationProposed', data: legacy }]).when({
      type: 'AssessRisk',
      data: { proposalId: 'prop-1', version: 1, tier: 'medium', factors: [] },
      metadata: meta('system:saga', T1),
    }).then([{ type: 'RiskAssessed', data: { proposalId: 'prop-1', version: 1, tier: 'medium', factors: [], assessedBy: 'system:saga', at: T1 } }]);
  });
});
