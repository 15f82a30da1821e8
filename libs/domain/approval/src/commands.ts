import { RiskTier } from '@vigil/domain/remediation';
import { DomainCommand, JsonObject } from '@vigil/domain/shared';
import { RoleRequirement } from './policy/approval-policy';
import { VoteDecision } from './events';

export type RequestApproval = DomainCommand<
  'RequestApproval',
  {
    readonly approvalId: string;
    readonly proposalId: string;
    readonly proposalVersion: number;
    readonly actionHash: string;
    readonly tier: RiskTier;
    readonly requiredRoles: readonly RoleRequirement[];
    readonly proposer: string;
    /** Level 0's deadline from `approvalSchedule`. */
    readonly deadline: string;
  }
>;

/** The voter is `metadata.actor`; `roles` are the voter's roles at vote time, looked up by the app. */
export type CastVote = DomainCommand<
  'CastVote',
  {
    readonly approvalId: string;
    readonly roles: readonly string[];
    readonly decision: VoteDecision;
    /** Required to reject. */
    readonly reason?: string;
    /** Only with `approve`. */
    readonly modifications?: JsonObject;
    readonly proposalVersion: number;
    readonly actionHash: string;
  }
>;

/** Sent by the deadline timer; refused before the deadline. */
export type TimeOutApproval = DomainCommand<'TimeOutApproval', { readonly approvalId: string }>;

/** Keeps the approval pending through the next escalation level. */
export type ExtendDeadline = DomainCommand<'ExtendDeadline', { readonly approvalId: string; readonly newDeadline: string; readonly level: number }>;

/** After the last escalation level: the approval is over. Refused before the deadline. */
export type ExpireApproval = DomainCommand<'ExpireApproval', { readonly approvalId: string }>;

export type CancelApproval = DomainCommand<
  'CancelApproval',
  { readonly approvalId: string; readonly reason: 'superseded' | 'withdrawn'; readonly note?: string }
>;

export type ApprovalCommand = RequestApproval | CastVote | TimeOutApproval | ExtendDeadline | ExpireApproval | CancelApproval;
