import type { CommandBus } from '@vigil/application';
import type { ApprovalPolicy } from '@vigil/domain/approval';
import type { ExecutionRecord, ExecutionRefusalReason } from '@vigil/domain/execution';
import { computeActionHash, sameActionHash } from './action-hash';

/** Who holds which roles *now* (UsersRepository satisfies it). */
export interface ApproverDirectory {
  findById(id: string): Promise<{ readonly roles: readonly string[]; readonly disabled: boolean } | undefined>;
}

export type PreRunVerdict =
  | { readonly ok: true; readonly actionHash: string; readonly proposalVersion: number }
  | { readonly ok: false; readonly why: ExecutionRefusalReason; readonly detail: string };

const refuse = (why: ExecutionRefusalReason, detail: string): PreRunVerdict => ({ ok: false, why, detail });

/**
 * The check every attempt passes before anything reaches a platform: the action is the one the current proposal
 * version describes (hash recomputed from the proposal stream, compared with the execution's and the approval's),
 * the proposal is still open, the approval is granted (or the kind's tier is auto-approved and there is no
 * approval), and every approver still holds a role satisfying the requirement they filled.
 */
export class PreRunCheck {
  constructor(
    private readonly bus: Pick<CommandBus, 'load'>,
    private readonly users: ApproverDirectory,
    private readonly policy: ApprovalPolicy,
  ) {}

  async check(execution: ExecutionRecord): Promise<PreRunVerdict> {
    const { executionId, proposalId, approvalId, action } = execution;
    const { state: proposal } = await this.bus.load('proposal', proposalId);
    if (proposal.status === 'Initial') return refuse('action-hash-mismatch', `proposal ${proposalId} of execution ${executionId} does not exist`);
    if (proposal.status === 'Withdrawn') return refuse('proposal-withdrawn', `proposal ${proposalId} was withdrawn by ${proposal.by}: ${proposal.reason}`);
    if (proposal.status === 'Superseded') return refuse('proposal-withdrawn', `proposal ${proposalId} was superseded by ${proposal.supersededBy}`);

    const { version } = proposal.proposal;
    const expected = computeActionHash(proposal.proposal.action, version);
    if (!sameActionHash(expected, execution.actionHash)) {
      return refuse('action-hash-mismatch', `execution ${executionId} carries action hash ${execution.actionHash}; proposal ${proposalId} v${version} hashes to ${expected}`);
    }
    // The action that would run must be the proposal's, not merely carry its hash.
    if (!sameActionHash(computeActionHash(action, version), expected)) {
      return refuse('action-hash-mismatch', `the action of execution ${executionId} differs from proposal ${proposalId} v${version}`);
    }

    if (approvalId === null) {
      const kindTier = this.policy.actionTiers[action.kind];
      if (!kindTier || !this.policy.tiers[kindTier]?.autoApprove) {
        return refuse('approval-not-granted', `execution ${executionId} has no approval and ${action.kind} is in tier ${kindTier ?? 'unknown'}, which is not auto-approved`);
      }
      if (proposal.status === 'Assessed' && proposal.assessment.version === version && !this.policy.tiers[proposal.assessment.tier]?.autoApprove) {
        return refuse('approval-not-granted', `proposal ${proposalId} v${version} was assessed ${proposal.assessment.tier}, which is not auto-approved`);
      }
      return { ok: true, actionHash: expected, proposalVersion: version };
    }

    const { state: approval } = await this.bus.load('approval', approvalId);
    switch (approval.status) {
      case 'Initial':
        return refuse('approval-not-granted', `approval ${approvalId} does not exist`);
      case 'Pending':
        return refuse('approval-not-granted', `approval ${approvalId} is still pending`);
      case 'Rejected':
        return refuse('approval-not-granted', `approval ${approvalId} was rejected by ${approval.rejectedBy}: ${approval.reason}`);
      case 'Cancelled':
        return approval.reason === 'modified'
          ? refuse('approval-not-granted', `approval ${approvalId} was cancelled: an approver modified the action`)
          : refuse('proposal-withdrawn', `approval ${approvalId} was cancelled: the proposal was ${approval.reason}`);
      case 'Expired':
        return refuse('approval-expired', `approval ${approvalId} expired without a decision`);
      case 'Granted':
        break;
    }
    if (approval.approval.proposalId !== proposalId) {
      return refuse('action-hash-mismatch', `approval ${approvalId} is for proposal ${approval.approval.proposalId}, not ${proposalId}`);
    }
    if (approval.approval.proposalVersion !== version || !sameActionHash(approval.approval.actionHash, expected)) {
      return refuse(
        'action-hash-mismatch',
        `approval ${approvalId} authorised v${approval.approval.proposalVersion} (${approval.approval.actionHash}); proposal ${proposalId} is now v${version} (${expected})`,
      );
    }

    for (const { requirement, by } of approval.approvers) {
      const accepted = approval.approval.requiredRoles[requirement] ?? [];
      const user = await this.users.findById(by);
      if (!user) return refuse('approver-lost-role', `approver ${by} no longer exists`);
      if (user.disabled) return refuse('approver-lost-role', `approver ${by} is disabled`);
      if (!accepted.some((role) => user.roles.includes(role))) {
        return refuse('approver-lost-role', `approver ${by} no longer holds ${accepted.join(' or ')} (now: ${user.roles.join(', ') || 'no roles'})`);
      }
    }
    return { ok: true, actionHash: expected, proposalVersion: version };
  }
}
