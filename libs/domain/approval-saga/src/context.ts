import { AnomalySeverity } from '@vigil/domain/anomaly';
import { ApprovalPolicy, tierForAction } from '@vigil/domain/approval';
import { NotifyTarget } from '@vigil/domain/escalation';
import { ProposalRiskContext, RemediationAction, RiskFactor, RiskTier } from '@vigil/domain/remediation';
import { JsonObject } from '@vigil/domain/shared';
import { SagaFacts } from './facts';

/** The tier and factors the saga assesses a proposal version with, and the blast radius the approver sees. */
export interface RiskAssessment {
  readonly tier: RiskTier;
  readonly factors: readonly RiskFactor[];
  readonly blastRadius?: JsonObject;
}

/** What the assessor may know besides the action: when (freeze windows) and where it lands (the proposal's facts). */
export interface RiskAssessmentInput {
  /** The triggering event's instant. */
  readonly now: string;
  readonly riskContext?: ProposalRiskContext;
}

/**
 * Pure: (action, policy, {now, riskContext}) → assessment. The default is the policy's tier for the action kind;
 * the host composes a blast-radius assessor (libs/investigation's assessRisk) in its place. The saga always passes
 * `input`; it is optional so a plain (action, policy) assessor still fits.
 */
export type RiskAssessor = (action: RemediationAction, policy: ApprovalPolicy, input?: RiskAssessmentInput) => RiskAssessment;

export const assessByActionTier: RiskAssessor = (action, policy) => {
  const tier = tierForAction(policy, action.kind);
  return { tier, factors: [{ name: 'action-tier', detail: `${action.kind} is ${tier}` }] };
};

export interface SagaOptions {
  /** Delay between ExecutionSucceeded and the signal re-check. Default 5 minutes. */
  readonly verifyDelayMs: number;
  /** maxAttempts of every RequestExecution. Default 3. */
  readonly maxExecutionAttempts: number;
  /** Anomalies at these severities also page. Default ['critical']. */
  readonly pageSeverities: readonly AnomalySeverity[];
  /** Who hears of every new anomaly. Default the responders on the log channel. */
  readonly anomalyNotice: readonly NotifyTarget[];
  /** Who is paged for a severe anomaly. Default the responders on PagerDuty. */
  readonly anomalyPage: readonly NotifyTarget[];
  /** Who hears of a conclusion, a final execution failure or refusal, or a failed verification. Default the responders on the log channel. */
  readonly operationsNotice: readonly NotifyTarget[];
  /**
   * When an approval times out so late that the next level's scheduled deadline has passed too (the host was
   * down), the next level still gets this long before it times out in turn. Default 60 s.
   */
  readonly lateGraceMs: number;
  readonly assess: RiskAssessor;
}

export const DEFAULT_SAGA_OPTIONS: SagaOptions = {
  verifyDelayMs: 5 * 60_000,
  maxExecutionAttempts: 3,
  pageSeverities: ['critical'],
  anomalyNotice: [{ role: 'responder', channel: 'log' }],
  anomalyPage: [{ role: 'responder', channel: 'pagerduty' }],
  operationsNotice: [{ role: 'responder', channel: 'log' }],
  lateGraceMs: 60_000,
  assess: assessByActionTier,
};

/** Everything `react` may use besides the event: all of it pure data or pure functions. */
export interface SagaContext {
  readonly policy: ApprovalPolicy;
  readonly facts: SagaFacts;
  /** The action hash of `actionHashInput(action, version)`: the host passes sha256 (hex). */
  readonly hash: (text: string) => string;
  /** A deterministic aggregate id for a seed such as `approval:<eventId>`: the host passes a uuid v5. */
  readonly deriveId: (seed: string) => string;
  readonly options?: Partial<SagaOptions>;
}

/** Ids as readable as their seeds: for specs and logs. */
export const readableIds = (seed: string): string => seed;
