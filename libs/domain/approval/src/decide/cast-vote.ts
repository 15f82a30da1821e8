import { isAtOrAfter, isJsonObject } from '@vigil/domain/shared';
import { CastVote } from '../commands';
import { ApprovalErrors } from '../errors';
import { ApprovalEvent, Ballot, VoteCast, VoteRefusalCode, VoteRefused } from '../events';
import { assignApprovers, holdsRequiredRole } from '../role-matching';
import { ApprovalState, PendingApproval } from '../state';
import { requireRequested } from './guards';

/**
 * A vote by `metadata.actor`. Malformed ballots throw (nothing was attempted); a well-formed vote that the rules
 * refuse returns `[VoteRefused]` so the attempt is appended to the audit log before the caller reports the code
 * (`refusalOf`). Refusals are checked in this order: closed, self-approval, human, role, already voted, deadline,
 * version.
 *
 * Approving with modifications does not grant: it cancels this approval with the modifications, and the saga makes a
 * new proposal version that is re-assessed and gets a new approval. No vote is carried over to that approval — the
 * modifying approver votes again — so every grant rests only on votes cast for its exact action hash.
 */
export function castVote(command: CastVote, state: ApprovalState): ApprovalEvent[] {
  const { approvalId } = command.data;
  const { now } = command.metadata;
  const requested = requireRequested(state, approvalId);
  const ballot = ballotOf(command);
  const refused = (code: VoteRefusalCode, message: string): [VoteRefused] => [
    { type: 'VoteRefused', data: { approvalId, ...ballot, code, message, at: now } },
  ];
  if (requested.status !== 'Pending') return refused('APPROVAL.CLOSED', `the approval is already ${requested.status.toLowerCase()}`);
  const refusal = refusalFor(ballot, requested, now);
  if (refusal) return refused(refusal.code, refusal.message);

  const pending = requested;
  const { proposalId } = pending.approval;
  const cast: VoteCast = { type: 'VoteCast', data: { approvalId, ...ballot, at: now } };
  if (ballot.decision === 'reject') {
    return [cast, { type: 'ApprovalRejected', data: { approvalId, proposalId, by: ballot.by, reason: ballot.reason as string, at: now } }];
  }
  if (ballot.modifications) {
    return [cast, { type: 'ApprovalCancelled', data: { approvalId, proposalId, reason: 'modified', by: ballot.by, modifications: ballot.modifications, at: now } }];
  }
  const approvals = [...pending.votes, ballot].filter((vote) => vote.decision === 'approve' && !vote.modifications);
  const approvers = assignApprovers(pending.approval.requiredRoles, approvals);
  if (!approvers) return [cast];
  const { proposalVersion, actionHash } = pending.approval;
  return [cast, { type: 'ApprovalGranted', data: { approvalId, proposalId, proposalVersion, actionHash, approvers, at: now } }];
}

function ballotOf(command: CastVote): Ballot {
  const { roles, decision, reason, modifications, proposalVersion, actionHash } = command.data;
  if (decision !== 'approve' && decision !== 'reject') {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', "decision must be 'approve' or 'reject'", { field: 'decision' });
  }
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', 'roles must be a list of role names', { field: 'roles' });
  }
  if (decision === 'reject' && (typeof reason !== 'string' || reason.trim() === '')) {
    throw ApprovalErrors.raise('APPROVAL.REASON_REQUIRED', 'a rejection needs a reason: it is fed back to the investigation', { field: 'reason' });
  }
  if (modifications !== undefined && !isJsonObject(modifications)) {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', 'modifications must be a JSON object of changed params', { field: 'modifications' });
  }
  const modified = modifications !== undefined && Object.keys(modifications).length > 0;
  if (modified && decision === 'reject') {
    throw ApprovalErrors.raise('APPROVAL.INVALID_INPUT', 'modifications come with an approval, not a rejection', { field: 'modifications' });
  }
  return {
    by: command.metadata.actor,
    roles,
    decision,
    reason,
    modifications: modified ? modifications : undefined,
    proposalVersion,
    actionHash,
  };
}

function refusalFor(ballot: Ballot, state: PendingApproval, now: string): { code: VoteRefusalCode; message: string } | undefined {
  const { approval, votes, deadline } = state;
  if (ballot.decision === 'approve' && ballot.by === approval.proposer) {
    return { code: 'APPROVAL.SELF_APPROVAL', message: `${ballot.by} proposed this action and cannot approve it` };
  }
  if (!isHuman(ballot.by)) {
    return { code: 'APPROVAL.HUMAN_REQUIRED', message: `${ballot.by} is not a person: only people approve or reject` };
  }
  if (!holdsRequiredRole(approval.requiredRoles, ballot.roles)) {
    const needed = approval.requiredRoles.map((requirement) => requirement.join(' or ')).join(', and ');
    return { code: 'APPROVAL.ROLE_REQUIRED', message: `a ${approval.tier}-tier approval needs ${needed}; ${ballot.by} holds ${ballot.roles.join(', ') || 'no role'}` };
  }
  if (votes.some((vote) => vote.by === ballot.by)) {
    return { code: 'APPROVAL.ALREADY_VOTED', message: `${ballot.by} has already voted: one person counts once` };
  }
  if (isAtOrAfter(now, deadline)) return { code: 'APPROVAL.EXPIRED', message: `the deadline ${deadline} has passed` };
  if (ballot.proposalVersion !== approval.proposalVersion || ballot.actionHash !== approval.actionHash) {
    return {
      code: 'APPROVAL.STALE_VERSION',
      message: `the vote is for version ${ballot.proposalVersion} but the approval is for version ${approval.proposalVersion} of the action`,
    };
  }
  return undefined;
}

/** Agents (`ai:<agent>`) and components (`system:<component>`) propose and execute; they never vote. */
const isHuman = (actor: string): boolean => !/^(ai|system):/i.test(actor);
