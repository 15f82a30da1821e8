import { inverseAction } from '@vigil/domain/remediation';
import { ProposeCompensation, RecordCompensation } from '../commands';
import { ExecutionErrors } from '../errors';
import { CompensationProposed, ExecutionCompensated } from '../events';
import { ExecutionState } from '../state';
import { closed, requireRequested, requireSucceeded, requireText } from './guards';

/**
 * Proposes the inverse of the executed action (scale back to the previous replicas, roll forward to the previous
 * revision…), computed from what the executor reported. It is a proposal: it needs its own approval to run.
 */
export function proposeCompensation(command: ProposeCompensation, state: ExecutionState): CompensationProposed[] {
  const { executionId, reason } = command.data;
  const succeeded = requireSucceeded(state, executionId);
  if (succeeded.status === 'CompensationProposed') return [];
  requireText(reason, 'reason');
  const inverse = inverseAction(succeeded.execution.action, succeeded.result);
  if (!inverse) {
    throw ExecutionErrors.raise('EXECUTION.NO_INVERSE', `${succeeded.execution.action.kind} has no inverse from the reported result`, {
      executionId,
      kind: succeeded.execution.action.kind,
    });
  }
  return [{ type: 'CompensationProposed', data: { executionId, inverse, reason, by: command.metadata.actor, at: command.metadata.now } }];
}

/** The compensating execution ran; this one is undone. */
export function recordCompensation(command: RecordCompensation, state: ExecutionState): ExecutionCompensated[] {
  const { executionId, compensatingExecutionId } = command.data;
  const requested = requireRequested(state, executionId);
  if (requested.status === 'Compensated') {
    if (requested.compensatingExecutionId === compensatingExecutionId) return [];
    throw closed(requested);
  }
  requireSucceeded(state, executionId);
  requireText(compensatingExecutionId, 'compensatingExecutionId');
  return [{ type: 'ExecutionCompensated', data: { executionId, compensatingExecutionId, by: command.metadata.actor, at: command.metadata.now } }];
}
