import { assertNever } from '@vigil/domain/shared';
import { RefuseExecution } from '../commands';
import { ExecutionErrors } from '../errors';
import { EXECUTION_REFUSAL_REASONS, ExecutionRefused } from '../events';
import { ExecutionState } from '../state';
import { closed, leaseIsLive, requireRequested } from './guards';

/**
 * Records a failed pre-run check (the app compares the action hash, the approval's state and the approvers' current
 * roles) and ends the execution without running it.
 */
export function refuseExecution(command: RefuseExecution, state: ExecutionState): ExecutionRefused[] {
  const { executionId, why, detail, leaseOwner } = command.data;
  const { now, actor } = command.metadata;
  const requested = requireRequested(state, executionId);
  switch (requested.status) {
    case 'Refused':
      return [];
    case 'Requested':
    case 'AwaitingRetry':
      break;
    case 'Running':
      if (leaseIsLive(requested, now) && requested.leaseOwner !== leaseOwner) {
        throw ExecutionErrors.raise('EXECUTION.LEASE_HELD', `attempt ${requested.attempt} is leased to ${requested.leaseOwner}`, {
          executionId,
          leaseOwner: requested.leaseOwner,
        });
      }
      break;
    case 'Succeeded':
    case 'Verified':
    case 'CompensationProposed':
    case 'Compensated':
    case 'Failed':
      throw closed(requested);
    default:
      return assertNever(requested, 'execution status');
  }
  if (!EXECUTION_REFUSAL_REASONS.includes(why)) {
    throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', `why must be one of ${EXECUTION_REFUSAL_REASONS.join(', ')}`, { field: 'why' });
  }
  return [{ type: 'ExecutionRefused', data: { executionId, why, detail, by: actor, at: now } }];
}
