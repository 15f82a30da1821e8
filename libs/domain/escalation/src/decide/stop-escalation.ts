import { StopEscalation } from '../commands';
import { EscalationErrors } from '../errors';
import { ESCALATION_STOP_REASONS, EscalationStopped } from '../events';
import { EscalationState } from '../state';
import { requireStarted } from './guards';

/** A stop is final. Stopping a stopped or exhausted escalation appends nothing. */
export function stopEscalation(command: StopEscalation, state: EscalationState): EscalationStopped[] {
  const { escalationId, why } = command.data;
  const started = requireStarted(state, escalationId);
  if (started.status !== 'Active') return [];
  if (!ESCALATION_STOP_REASONS.includes(why)) {
    throw EscalationErrors.raise('ESCALATION.INVALID_INPUT', `why must be one of ${ESCALATION_STOP_REASONS.join(', ')}`, { field: 'why' });
  }
  return [
    { type: 'EscalationStopped', data: { escalationId, approvalId: started.approvalId, why, by: command.metadata.actor, at: command.metadata.now } },
  ];
}
