import { CommandMetadata } from '@vigil/domain/shared';
import { SAGA_ACTOR, approvalTimeoutTimerId, timerKey, verifyTimerId } from './ids';
import { Schedule } from './outputs';

interface TimerOrigin {
  /** The event that scheduled the timer, when known (the reconciler re-creates timers without one). */
  readonly causationId?: string;
  readonly correlationId?: string;
}

function timerMetadata(timerId: string, due: string, origin: TimerOrigin): CommandMetadata {
  return {
    now: due,
    actor: SAGA_ACTOR,
    ...(origin.causationId ? { causationId: origin.causationId } : {}),
    ...(origin.correlationId ? { correlationId: origin.correlationId } : {}),
    idempotencyKey: timerKey(timerId),
  };
}

/**
 * The timer that sends `TimeOutApproval` when the approval's deadline at `level` passes. The saga schedules it
 * with each deadline; the host's reconciler builds the same timer from a pending approval's deadline and level.
 */
export function approvalTimeoutTimer(approvalId: string, level: number, deadline: string, origin: TimerOrigin = {}): Schedule {
  const timerId = approvalTimeoutTimerId(approvalId, level);
  return {
    type: 'Schedule',
    timerId,
    at: deadline,
    work: {
      type: 'Send',
      send: { type: 'Send', aggregate: 'approval', id: approvalId, command: { type: 'TimeOutApproval', data: { approvalId }, metadata: timerMetadata(timerId, deadline, origin) } },
    },
  };
}

/** The timer that re-checks the anomaly's signal after a successful execution and records `VerifyExecution`. */
export function verifyExecutionTimer(executionId: string, anomalyId: string, due: string, origin: TimerOrigin = {}): Schedule {
  const timerId = verifyTimerId(executionId);
  return { type: 'Schedule', timerId, at: due, work: { type: 'VerifyExecution', executionId, anomalyId, metadata: timerMetadata(timerId, due, origin) } };
}
