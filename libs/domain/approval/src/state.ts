import { RiskTier } from '@vigil/domain/remediation';
import { ApprovalCancelReason, Ballot } from './events';
import { RoleRequirement } from './policy/approval-policy';
import { RequirementAssignment } from './role-matching';

export interface ApprovalRecord {
  readonly approvalId: string;
  readonly proposalId: string;
  readonly proposalVersion: number;
  readonly actionHash: string;
  readonly tier: RiskTier;
  readonly requiredRoles: readonly RoleRequirement[];
  readonly proposer: string;
  readonly requestedAt: string;
}

export type Vote = Ballot & { readonly at: string };

interface Decided {
  readonly approval: ApprovalRecord;
  readonly votes: readonly Vote[];
}

export type ApprovalState =
  | { readonly status: 'Initial' }
  | (Decided & {
      readonly status: 'Pending';
      readonly deadline: string;
      /** Escalation level the current deadline belongs to. */
      readonly level: number;
      /** The deadline an ApprovalTimedOut was already recorded for. */
      readonly timedOutDeadline?: string;
    })
  | (Decided & { readonly status: 'Granted'; readonly approvers: readonly RequirementAssignment[] })
  | (Decided & { readonly status: 'Rejected'; readonly rejectedBy: string; readonly reason: string })
  | (Decided & { readonly status: 'Cancelled'; readonly reason: ApprovalCancelReason })
  | (Decided & { readonly status: 'Expired' });

export type PendingApproval = Extract<ApprovalState, { status: 'Pending' }>;
export type ClosedApproval = Extract<ApprovalState, { status: 'Granted' | 'Rejected' | 'Cancelled' | 'Expired' }>;

export const initialApprovalState = (): ApprovalState => ({ status: 'Initial' });
