import { validateAction } from '@vigil/domain/remediation';
import { RequestExecution } from '../commands';
import { ExecutionErrors } from '../errors';
import { ExecutionRequested } from '../events';
import { ExecutionState } from '../state';
import { requireText } from './guards';

export function requestExecution(command: RequestExecution, state: ExecutionState): [ExecutionRequested] {
  const { executionId, proposalId, approvalId, action, actionHash, idempotencyKey, maxAttempts } = command.data;
  if (state.status !== 'Initial') {
    throw ExecutionErrors.raise('EXECUTION.ALREADY_EXISTS', `execution ${executionId} already exists`, { executionId });
  }
  requireText(executionId, 'executionId');
  requireText(proposalId, 'proposalId');
  if (approvalId !== null) requireText(approvalId, 'approvalId');
  requireText(actionHash, 'actionHash');
  requireText(idempotencyKey, 'idempotencyKey');
  const problems = validateAction(action);
  if (problems.length > 0) {
    throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', problems.map((p) => `${p.field} ${p.message}`).join('; '), { field: problems[0].field });
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw ExecutionErrors.raise('EXECUTION.INVALID_INPUT', 'maxAttempts must be a positive integer', { field: 'maxAttempts' });
  }
  return [
    {
      type: 'ExecutionRequested',
      data: {
        executionId,
        proposalId,
        approvalId,
        action: { kind: action.kind, target: action.target, params: action.params },
        actionHash,
        idempotencyKey,
        maxAttempts,
        requestedBy: command.metadata.actor,
        at: command.metadata.now,
      },
    },
  ];
}
