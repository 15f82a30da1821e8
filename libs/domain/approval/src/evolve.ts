import { assertNever } from '@vigil/domain/shared';
import { ApprovalEvent } from './events';
import { ApprovalState } from './state';

export function evolve(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  switch (event.type) {
    case 'ApprovalRequested': {
      const { approvalId, proposalId, proposalVersion, actionHash, tier, requiredRoles, proposer, deadline, at } = event.data;
      return {
        status: 'Pending',
        approval: { approvalId, proposalId, proposalVersion, actionHash, tier, requiredRoles, proposer, requestedAt: at },
        votes: [],
        deadline,
        level: 0,
      };
    }
    case 'VoteCast': {
      if (state.status !== 'Pending') return state;
      const { approvalId: _approvalId, ...vote } = event.data;
      return { ...state, votes: [...state.votes, vote] };
    }
    case 'VoteRefused':
      return state;
    case 'ApprovalGranted':
      return state.status === 'Pending' ? { status: 'Granted', approval: state.approval, votes: state.votes, approvers: event.data.approvers } : state;
    case 'ApprovalRejected':
      return state.status === 'Pending'
        ? { status: 'Rejected', approval: state.approval, votes: state.votes, rejectedBy: event.data.by, reason: event.data.reason }
        : state;
    case 'ApprovalCancelled':
      return state.status === 'Pending' ? { status: 'Cancelled', approval: state.approval, votes: state.votes, reason: event.data.reason } : state;
    case 'ApprovalTimedOut':
      return state.status === 'Pending' ? { ...state, timedOutDeadline: event.data.deadline } : state;
    case 'ApprovalDeadlineExtended':
      return state.status === 'Pending' ? { ...state, deadline: event.data.newDeadline, level: event.data.level } : state;
    case 'ApprovalExpired':
      return state.status === 'Pending' ? { status: 'Expired', approval: state.approval, votes: state.votes } : state;
    default:
      return assertNever(event, 'approval event');
  }
}
