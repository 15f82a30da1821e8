import { Decider } from '@vigil/domain/shared';
import { InvestigationCommand } from './commands';
import { decide } from './decide';
import { InvestigationEvent } from './events';
import { evolve } from './evolve';
import { InvestigationState, initialInvestigationState } from './state';

export const investigationDecider: Decider<InvestigationState, InvestigationCommand, InvestigationEvent> = {
  initialState: initialInvestigationState,
  evolve,
  decide,
};
