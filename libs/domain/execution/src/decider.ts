import { Decider } from '@vigil/domain/shared';
import { ExecutionCommand } from './commands';
import { decide } from './decide';
import { ExecutionEvent } from './events';
import { evolve } from './evolve';
import { ExecutionState, initialExecutionState } from './state';

export const executionDecider: Decider<ExecutionState, ExecutionCommand, ExecutionEvent> = {
  initialState: initialExecutionState,
  evolve,
  decide,
};
