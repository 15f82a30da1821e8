import { StartEscalation } from '../commands';
import { EscalationErrors } from '../errors';
import { EscalationEvent } from '../events';
import { channelsOf, validateEscalationLevels } from '../levels';
import { EscalationState } from '../state';

export function startEscalation(command: StartEscalation, state: EscalationState): EscalationEvent[] {
  const { escalationId, approvalId, levels } = command.data;
  if (state.status !== 'Initial') {
    throw EscalationErrors.raise('ESCALATION.ALREADY_STARTED', `escalation ${escalationId} already started`, { escalationId });
  }
  if (typeof approvalId !== 'string' || approvalId === '') {
    throw EscalationErrors.raise('ESCALATION.INVALID_INPUT', 'approvalId must be a non-empty string', { field: 'approvalId' });
  }
  const problems = validateEscalationLevels(levels);
  if (problems.length > 0) {
    throw EscalationErrors.raise('ESCALATION.INVALID_LEVELS', problems.map((p) => `${p.path}: ${p.message}`).join('; '), {
      field: problems[0].path,
      problems,
    });
  }
  const { now } = command.metadata;
  const first = levels[0];
  return [
    { type: 'EscalationStarted', data: { escalationId, approvalId, levels, at: now } },
    {
      type: 'EscalationLevelReached',
      data: { escalationId, approvalId, level: first.level, targets: first.notify, channels: channelsOf(first), at: now },
    },
  ];
}
