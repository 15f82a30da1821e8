import { Decider } from '@vigil/domain/shared';
import { EscalationCommand } from './commands';
import { decide } from './decide';
import { EscalationEvent } from './events';
import { evolve } from './evolve';
import { EscalationState, initialEscalationState } from './state';

export const escalationDecider: Decider<EscalationState, EscalationCommand, EscalationEvent> = {
  initialState: initialEscalationState,
  evolve,
  decide,
};
