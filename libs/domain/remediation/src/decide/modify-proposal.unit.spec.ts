import { fold } from '@vigil/domain/shared';
import { remediationProposalDecider } from '../decider';
import { assessedLow, meta, scaleProposed, spec, T1 } from '../spec-fixtures';

describe('ModifyProposal', () => {
  it('merges the changes into the params and increments the version, so the proposal must be re-assessed', () => {
    spec.given([scaleProposed, assessedLow]).when({
      type: 'ModifyProposal',
      data: { proposalId: 'prop-1', baseVersion: 1, changes: { replicas: 4 }, approvalId: 'appr-1' },
      metadata: meta('carol', T1),
    }).then([
      {
        type: 'ProposalModified',
        data: {
          proposalId: 'prop-1',
          by: 'carol',
          changes: { replicas: 4 },
          params: { replicas: 4 },
          previousVersion: 1,
          newVersion: 2,
          approvalId: 'appr-1',
          at: T1,
        },
      },
    ]);
  });

  it('leaves the new version without a tier until it is assessed again', () => {
    const given = [scaleProposed, assessedLow];
    const events = remediationProposalDecider.decide(
      { type: 'ModifyProposal', data: { proposalId: 'prop-1', baseVersion: 1, changes: { replicas: 4 } }, metadata: meta('carol') },
      fold(remediationProposalDecider, given),
    );
    const state = fold(remediationProposalDecider, [...given, ...events]);
    expect(state).toMatchObject({ status: 'AwaitingAssessment', proposal: { version: 2, action: { params: { replicas: 4 } } } });
  });

  it('refuses a modification based on an older version with PROPOSAL.STALE_VERSION (no lost update)', () => {
    spec.given([
      scaleProposed,
      { type: 'ProposalModified', data: { proposalId: 'prop-1', by: 'dan', changes: { replicas: 5 }, params: { replicas: 5 }, previousVersion: 1, newVersion: 2, at: T1 } },
    ]).when({
      type: 'ModifyProposal',
      data: { proposalId: 'prop-1', baseVersion: 1, changes: { replicas: 4 } },
      metadata: meta('carol'),
    }).thenThrows('PROPOSAL.STALE_VERSION');
  });

  it('refuses changes that make the action invalid', () => {
    spec.given([scaleProposed]).when({
      type: 'ModifyProposal',
      data: { proposalId: 'prop-1', baseVersion: 1, changes: { replicas: 'lots' } },
      metadata: meta('carol'),
    }).thenThrows('PROPOSAL.INVALID_ACTION');
  });

  it('refuses to modify a withdrawn proposal with PROPOSAL.CLOSED', () => {
    spec.given([scaleProposed, { type: 'ProposalWithdrawn', data: { proposalId: 'prop-1', by: 'alice', reason: 'recovered', at: T1 } }]).when({
      type: 'ModifyProposal',
      data: { proposalId: 'prop-1', baseVersion: 1, changes: { replicas: 4 } },
      metadata: meta('carol'),
    }).thenThrows('PROPOSAL.CLOSED');
  });
});
