import { Duration, EscalationLevel } from '@vigil/domain/escalation';
import { ActionKind, RiskTier } from '@vigil/domain/remediation';

/** Any one of these roles satisfies the requirement. */
export type RoleRequirement = readonly string[];

export interface AutoApprovedTier {
  readonly autoApprove: true;
}

export interface HumanApprovedTier {
  readonly autoApprove: false;
  /**
   * One distinct person per requirement: `[['sre'], ['manager']]` needs an SRE and a manager who are two people;
   * `[['responder', 'team-lead']]` needs one person holding either role.
   */
  readonly approvers: readonly RoleRequirement[];
  /** How long approvers have before the first escalation; also the grace after the last level before expiry. */
  readonly timeout: Duration;
  /** Level 0 goes out with the request; level 1 is reached at `timeout`; later levels at their `after`. */
  readonly escalation: readonly EscalationLevel[];
}

export type TierPolicy = AutoApprovedTier | HumanApprovedTier;

/**
 * Who approves what, as plain JSON-serialisable data: loaded from YAML/JSON configuration (with environment
 * overrides) by the app and checked with `validateApprovalPolicy` before use.
 */
export interface ApprovalPolicy {
  /** Every role the policy may name; a typo in a requirement is a validation error, not a tier nobody can approve. */
  readonly roles: readonly string[];
  readonly tiers: { readonly [Tier in RiskTier]: TierPolicy };
  /** The tier of each action kind; every kind must be listed. */
  readonly actionTiers: { readonly [Kind in ActionKind]: RiskTier };
}
