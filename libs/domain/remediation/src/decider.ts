import { Decider } from '@vigil/domain/shared';
import { RemediationProposalCommand } from './commands';
import { decide } from './decide';
import { RemediationProposalEvent } from './events';
import { evolve } from './evolve';
import { RemediationProposalState, initialRemediationProposalState } from './state';

export const remediationProposalDecider: Decider<RemediationProposalState, RemediationProposalCommand, RemediationProposalEvent> = {
  initialState: initialRemediationProposalState,
  evolve,
  decide,
};
