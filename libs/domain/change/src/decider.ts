import { Decider } from '@vigil/domain/shared';
import { ChangeCommand } from './commands';
import { decide } from './decide';
import { ChangeEvent } from './events';
import { evolve } from './evolve';
import { ChangeState, initialChangeState } from './state';

export const changeDecider: Decider<ChangeState, ChangeCommand, ChangeEvent> = { initialState: initialChangeState, evolve, decide };
