import { assertCommandMetadata, assertNever } from '@vigil/domain/shared';
import { ExecutionCommand } from './commands';
import { proposeCompensation, recordCompensation } from './decide/compensation';
import { expireLease } from './decide/expire-lease';
import { recordExecutionFailure, recordExecutionSuccess } from './decide/record-outcome';
import { refuseExecution } from './decide/refuse-execution';
import { renewLease } from './decide/renew-lease';
import { requestExecution } from './decide/request-execution';
import { startExecution } from './decide/start-execution';
import { verifyExecution } from './decide/verify-execution';
import { ExecutionEvent } from './events';
import { ExecutionState } from './state';

export function decide(command: ExecutionCommand, state: ExecutionState): ExecutionEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'RequestExecution':
      return requestExecution(command, state);
    case 'StartExecution':
      return startExecution(command, state);
    case 'RenewLease':
      return renewLease(command, state);
    case 'ExpireLease':
      return expireLease(command, state);
    case 'RecordExecutionSuccess':
      return recordExecutionSuccess(command, state);
    case 'RecordExecutionFailure':
      return recordExecutionFailure(command, state);
    case 'RefuseExecution':
      return refuseExecution(command, state);
    case 'VerifyExecution':
      return verifyExecution(command, state);
    case 'ProposeCompensation':
      return proposeCompensation(command, state);
    case 'RecordCompensation':
      return recordCompensation(command, state);
    default:
      return assertNever(command, 'execution command');
  }
}
