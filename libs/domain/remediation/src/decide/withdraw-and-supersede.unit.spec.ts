import { ProposalSuperseded, ProposalWithdrawn } from '../events';
import { assessedLow, meta, scaleProposed, spec, T1 } from '../spec-fixtures';

const withdrawn: ProposalWithdrawn = { type: 'ProposalWithdrawn', data: { proposalId: 'prop-1', by: 'alice', reason: 'recovered on its own', at: T1 } };
const superseded: ProposalSuperseded = { type: 'ProposalSuperseded', data: { proposalId: 'prop-1', supersededBy: 'prop-2', by: 'ai:investigator', at: T1 } };

describe('WithdrawProposal / SupersedeProposal', () => {
  it('withdraws an open proposal with the reason and who withdrew it', () => {
    spec.given([scaleProposed, assessedLow]).when({
      type: 'WithdrawProposal',
      data: { proposalId: 'prop-1', reason: 'recovered on its own' },
      metadata: meta('alice'),
    }).then([withdrawn]);
  });

  it('appends nothing when the proposal is withdrawn again', () => {
    spec.given([scaleProposed, withdrawn]).when({
      type: 'WithdrawProposal',
      data: { proposalId: 'prop-1', reason: 'again' },
      metadata: meta('alice'),
    }).then([]);
  });

  it('supersedes an open proposal by another one', () => {
    spec.given([scaleProposed]).when({
      type: 'SupersedeProposal',
      data: { proposalId: 'prop-1', supersededBy: 'prop-2' },
      metadata: meta('ai:investigator'),
    }).then([superseded]);
  });

  it('refuses to supersede a withdrawn proposal with PROPOSAL.CLOSED', () => {
    spec.given([scaleProposed, withdrawn]).when({
      type: 'SupersedeProposal',
      data: { proposalId: 'prop-1', supersededBy: 'prop-2' },
      metadata: meta('ai:investigator'),
    }).thenThrows('PROPOSAL.CLOSED');
  });
});
