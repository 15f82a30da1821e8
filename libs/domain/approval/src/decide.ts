import { assertCommandMetadata, assertNever } from '@vigil/domain/shared';
import { ApprovalCommand } from './commands';
import { cancelApproval } from './decide/cancel-approval';
import { castVote } from './decide/cast-vote';
import { extendDeadline } from './decide/extend-deadline';
import { requestApproval } from './decide/request-approval';
import { expireApproval, timeOutApproval } from './decide/time-out-approval';
import { ApprovalEvent } from './events';
import { ApprovalState } from './state';

export function decide(command: ApprovalCommand, state: ApprovalState): ApprovalEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'RequestApproval':
      return requestApproval(command, state);
    case 'CastVote':
      return castVote(command, state);
    case 'TimeOutApproval':
      return timeOutApproval(command, state);
    case 'ExtendDeadline':
      return extendDeadline(command, state);
    case 'ExpireApproval':
      return expireApproval(command, state);
    case 'CancelApproval':
      return cancelApproval(command, state);
    default:
      return assertNever(command, 'approval command');
  }
}
