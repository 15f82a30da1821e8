import { Decider } from '@vigil/domain/shared';
import { AnomalyCommand } from './commands';
import { decide } from './decide';
import { AnomalyEvent } from './events';
import { evolve } from './evolve';
import { AnomalyState, initialAnomalyState } from './state';

export const anomalyDecider: Decider<AnomalyState, AnomalyCommand, AnomalyEvent> = {
  initialState: initialAnomalyState,
  evolve,
  decide,
};
