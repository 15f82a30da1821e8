import { RiskTier } from '@vigil/domain/remediation';
import { DomainEvent, JsonObject } from '@vigil/domain/shared';
import { RoleRequirement } from './policy/approval-policy';
import { RequirementAssignment } from './role-matching';

export type VoteDecision = 'approve' | 'reject';

export type VoteRefusalCode =
  | 'APPROVAL.CLOSED'
  | 'APPROVAL.SELF_APPROVAL'
  | 'APPROVAL.HUMAN_REQUIRED'
  | 'APPROVAL.ROLE_REQUIRED'
  | 'APPROVAL.ALREADY_VOTED'
  | 'APPROVAL.EXPIRED'
  | 'APPROVAL.STALE_VERSION';

export type ApprovalCancelReason = 'modified' | 'superseded' | 'withdrawn';

export type ApprovalRequested = DomainEvent<
  'ApprovalRequested',
  {
    readonly approvalId: string;
    readonly proposalId: string;
    readonly proposalVersion: number;
    /** sha256 of `actionHashInput(action, proposalVersion)`: the exact action an approval authorises. */
    readonly actionHash: string;
    readonly tier: RiskTier;
    readonly requiredRoles: readonly RoleRequirement[];
    /** The proposal's proposer (a user id or `ai:<agent>`); never counts as an approver. */
    readonly proposer: string;
    readonly deadline: string;
    readonly requestedBy: string;
    readonly at: string;
  }
>;

/** What a voter sent: recorded as is on VoteCast and on VoteRefused, so an auditor sees every attempt. */
export interface Ballot {
  readonly by: string;
  /** The voter's roles at vote time. */
  readonly roles: readonly string[];
  readonly decision: VoteDecision;
  readonly reason?: string;
  /** Changed action params: the vote approves the modified action, so it cancels this approval instead of granting it. */
  readonly modifications?: JsonObject;
  /** What the voter saw. */
  readonly proposalVersion: number;
  readonly actionHash: string;
}

export type VoteCast = DomainEvent<'VoteCast', { readonly approvalId: string } & Ballot & { readonly at: string }>;

/** A refused vote, kept as an attempt in the audit log; the caller reports `code` as the error (see `refusalOf`). */
export type VoteRefused = DomainEvent<
  'VoteRefused',
  { readonly approvalId: string } & Ballot & { readonly code: VoteRefusalCode; readonly message: string; readonly at: string }
>;

export type ApprovalGranted = DomainEvent<
  'ApprovalGranted',
  {
    readonly approvalId: string;
    readonly proposalId: string;
    readonly proposalVersion: number;
    readonly actionHash: string;
    /** Which distinct person met which requirement. */
    readonly approvers: readonly RequirementAssignment[];
    readonly at: string;
  }
>;

export type ApprovalRejected = DomainEvent<
  'ApprovalRejected',
  { readonly approvalId: string; readonly proposalId: string; readonly by: string; readonly reason: string; readonly at: string }
>;

export type ApprovalCancelled = DomainEvent<
  'ApprovalCancelled',
  {
    readonly approvalId: string;
    readonly proposalId: string;
    readonly reason: ApprovalCancelReason;
    readonly by: string;
    /** With `reason: 'modified'`: the params the approver changed, for the saga to make a new proposal version. */
    readonly modifications?: JsonObject;
    readonly note?: string;
    readonly at: string;
  }
>;

/** The deadline passed at `level`; the approval stays pending while the saga escalates (or expires it). */
export type ApprovalTimedOut = DomainEvent<
  'ApprovalTimedOut',
  { readonly approvalId: string; readonly proposalId: string; readonly level: number; readonly deadline: string; readonly at: string }
>;

export type ApprovalDeadlineExtended = DomainEvent<
  'ApprovalDeadlineExtended',
  {
    readonly approvalId: string;
    readonly level: number;
    readonly previousDeadline: string;
    readonly newDeadline: string;
    readonly by: string;
    readonly at: string;
  }
>;

/** Escalation exhausted with nobody deciding. Terminal. */
export type ApprovalExpired = DomainEvent<
  'ApprovalExpired',
  { readonly approvalId: string; readonly proposalId: string; readonly level: number; readonly deadline: string; readonly at: string }
>;

export type ApprovalEvent =
  | ApprovalRequested
  | VoteCast
  | VoteRefused
  | ApprovalGranted
  | ApprovalRejected
  | ApprovalCancelled
  | ApprovalTimedOut
  | ApprovalDeadlineExtended
  | ApprovalExpired;
