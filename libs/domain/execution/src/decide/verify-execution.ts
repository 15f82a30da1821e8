import { isJsonObject } from '@vigil/domain/shared';
import { VerifyExecution } from '../commands';
import { ExecutionErrors } from '../errors';
import { ExecutionVerified } from '../events';
import { ExecutionState } from '../state';
import { closed, requireSucceeded } from './guards';

/** Records whether the anomaly's signal recovered after the change. */
export function verifyExecution(command: VerifyExecution, state: ExecutionState): [ExecutionVerified] {
  const { executionId, recovered, evidence } = command.data;
  const succeeded = requireSucceeded(state, executionId);
  if (succeeded.status === 'Verified') {
    throw ExecutionErrors.raise('EXECUTION.ALREADY_VERIFIED', `execution ${executionId} is already verified`, { executionId, recovered: succeeded.recovered });
  }
  if (succeeded.status === 'CompensationProposed') throw closed(succeeded);
  if (typeof recovered !== 'boolean') throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', 'recovered must be a boolean', { field: 'recovered' });
  if (evidence !== undefined && !isJsonObject(evidence)) {
    throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', 'evidence must be a JSON object', { field: 'evidence' });
  }
  return [{ type: 'ExecutionVerified', data: { executionId, recovered, evidence, at: command.metadata.now } }];
}
