import { durationToMs } from '@vigil/domain/escalation';
import { ActionKind, RiskTier } from '@vigil/domain/remediation';
import { addMilliseconds } from '@vigil/domain/shared';
import { ApprovalPolicy, HumanApprovedTier, TierPolicy } from './approval-policy';

export const tierForAction = (policy: ApprovalPolicy, kind: ActionKind): RiskTier => policy.actionTiers[kind];

export const tierPolicy = (policy: ApprovalPolicy, tier: RiskTier): TierPolicy => policy.tiers[tier];

export interface ScheduledLevel {
  readonly level: number;
  /** When the level's notifications go out. */
  readonly reachedAt: string;
  /** The approval's deadline while at this level: the next level's time, or the expiry after the last level. */
  readonly deadline: string;
}

/**
 * When each escalation level is reached and the approval deadline that goes with it. Level 0 is reached at the
 * request and lasts until level 1 (= the tier timeout); after the last level the approvers get one more `timeout`
 * before the approval expires. The saga requests the approval with `deadline` of level 0, and on each
 * `ApprovalTimedOut` either advances the escalation and extends the deadline to the next level's, or expires it.
 * Assumes a validated policy.
 */
export function approvalSchedule(tier: HumanApprovedTier, requestedAt: string): ScheduledLevel[] {
  const offsets = tier.escalation.map((level) => msOf(level.after));
  const timeout = msOf(tier.timeout);
  return offsets.map((offset, level) => ({
    level,
    reachedAt: addMilliseconds(requestedAt, offset),
    deadline: addMilliseconds(requestedAt, level + 1 < offsets.length ? offsets[level + 1] : offset + timeout),
  }));
}

function msOf(duration: unknown): number {
  const ms = durationToMs(duration);
  if (ms === undefined) throw new TypeError(`approvalSchedule: invalid duration ${String(duration)} (validate the policy first)`);
  return ms;
}
