import { Decider } from '@vigil/domain/shared';
import { ApprovalCommand } from './commands';
import { decide } from './decide';
import { ApprovalEvent } from './events';
import { evolve } from './evolve';
import { ApprovalState, initialApprovalState } from './state';

export const approvalDecider: Decider<ApprovalState, ApprovalCommand, ApprovalEvent> = {
  initialState: initialApprovalState,
  evolve,
  decide,
};
