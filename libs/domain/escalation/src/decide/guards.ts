import { EscalationErrors } from '../errors';
import { EscalationState } from '../state';

export type StartedEscalation = Exclude<EscalationState, { status: 'Initial' }>;

export function requireStarted(state: EscalationState, escalationId: string): StartedEscalation {
  if (state.status === 'Initial') {
    throw EscalationErrors.raise('ESCALATION.NOT_FOUND', `escalation ${escalationId} does not exist`, { escalationId });
  }
  return state;
}

export function requireActive(state: EscalationState, escalationId: string): Extract<EscalationState, { status: 'Active' }> {
  const started = requireStarted(state, escalationId);
  if (started.status !== 'Active') {
    throw EscalationErrors.raise('ESCALATION.CLOSED', `escalation ${escalationId} is ${started.status.toLowerCase()}: nothing escalates after a stop`, {
      escalationId,
      status: started.status,
    });
  }
  return started;
}
