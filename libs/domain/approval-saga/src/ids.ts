import { CommandMetadata } from '@vigil/domain/shared';

/** The actor of every command the saga sends. */
export const SAGA_ACTOR = 'system:saga';

/** The event a reaction answers: its id names everything the reaction creates. */
export interface Trigger {
  readonly eventId: string;
  /** The event's own time (`data.at`), the `now` of every command it causes. */
  readonly at: string;
  readonly correlationId?: string;
}

type DeriveId = (seed: string) => string;

/**
 * Deterministic ids of what the saga creates. Seeds name the triggering event (or the approval, for what exists
 * once per approval), so re-running the saga on an event addresses the same aggregates.
 */
export const sagaIds = {
  /** One investigation per AnomalyDetected. */
  investigation: (deriveId: DeriveId, anomalyDetectedEventId: string) => deriveId(`investigation:${anomalyDetectedEventId}`),
  /** One approval per RiskAssessed of a tier that needs people: a modified version gets a new approval. */
  approval: (deriveId: DeriveId, riskAssessedEventId: string) => deriveId(`approval:${riskAssessedEventId}`),
  /** One escalation per approval. */
  escalation: (deriveId: DeriveId, approvalId: string) => deriveId(`escalation:${approvalId}`),
  /** One execution per granted approval… */
  approvedExecution: (deriveId: DeriveId, approvalId: string) => deriveId(`execution:approval:${approvalId}`),
  /** …or per RiskAssessed of an auto-approved tier. */
  autoApprovedExecution: (deriveId: DeriveId, riskAssessedEventId: string) => deriveId(`execution:auto:${riskAssessedEventId}`),
};

/** The deadline timer of one escalation level of one approval. */
export const approvalTimeoutTimerId = (approvalId: string, level: number): string => `approval-timeout:${approvalId}:${level}`;

/** The signal re-check after a successful execution. */
export const verifyTimerId = (executionId: string): string => `execution-verify:${executionId}`;

/** Idempotency key of output `purpose` of the reaction to `eventId`. */
export const reactionKey = (eventId: string, purpose: string): string => `saga:${eventId}:${purpose}`;

/** Idempotency key of a timer's command: the same whoever (saga or reconciler) scheduled the timer. */
export const timerKey = (timerId: string): string => `timer:${timerId}`;

export function sagaMetadata(trigger: Trigger, idempotencyKey: string, now = trigger.at): CommandMetadata {
  return {
    now,
    actor: SAGA_ACTOR,
    causationId: trigger.eventId,
    ...(trigger.correlationId ? { correlationId: trigger.correlationId } : {}),
    idempotencyKey,
  };
}
