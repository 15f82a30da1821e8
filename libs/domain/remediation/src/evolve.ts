import { assertNever } from '@vigil/domain/shared';
import { RemediationProposalEvent } from './events';
import { RemediationProposalState } from './state';

export function evolve(state: RemediationProposalState, event: RemediationProposalEvent): RemediationProposalState {
  switch (event.type) {
    case 'RemediationProposed': {
      const { at: _at, ...proposal } = event.data;
      return { status: 'AwaitingAssessment', proposal };
    }
    case 'RiskAssessed': {
      if (state.status !== 'AwaitingAssessment') return state;
      const { version, tier, factors, blastRadius, dryRun } = event.data;
      return { status: 'Assessed', proposal: state.proposal, assessment: { version, tier, factors, blastRadius, dryRun } };
    }
    case 'ProposalModified': {
      if (state.status !== 'AwaitingAssessment' && state.status !== 'Assessed') return state;
      const { proposal } = state;
      return {
        status: 'AwaitingAssessment',
        proposal: { ...proposal, action: { ...proposal.action, params: event.data.params }, version: event.data.newVersion },
      };
    }
    case 'ProposalWithdrawn':
      if (state.status === 'Initial') return state;
      return { status: 'Withdrawn', proposal: state.proposal, by: event.data.by, reason: event.data.reason };
    case 'ProposalSuperseded':
      if (state.status === 'Initial') return state;
      return { status: 'Superseded', proposal: state.proposal, supersededBy: event.data.supersededBy };
    default:
      return assertNever(event, 'remediation proposal event');
  }
}
