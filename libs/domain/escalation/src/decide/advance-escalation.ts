import { AdvanceEscalation } from '../commands';
import { EscalationErrors } from '../errors';
import { EscalationEvent } from '../events';
import { channelsOf } from '../levels';
import { EscalationState } from '../state';
import { requireActive } from './guards';

export function advanceEscalation(command: AdvanceEscalation, state: EscalationState): EscalationEvent[] {
  const { escalationId, toLevel } = command.data;
  const active = requireActive(state, escalationId);
  if (!Number.isInteger(toLevel)) {
    throw EscalationErrors.raise('ESCALATION.INVALID_INPUT', 'toLevel must be an integer', { field: 'toLevel' });
  }
  if (toLevel <= active.currentLevel) return [];
  const next = active.currentLevel + 1;
  if (toLevel > next) {
    throw EscalationErrors.raise('ESCALATION.LEVEL_OUT_OF_ORDER', `escalation ${escalationId} is at level ${active.currentLevel}; the next level is ${next}`, {
      escalationId,
      currentLevel: active.currentLevel,
      toLevel,
    });
  }
  const { approvalId, levels } = active;
  const at = command.metadata.now;
  if (next >= levels.length) {
    return [{ type: 'EscalationExhausted', data: { escalationId, approvalId, lastLevel: active.currentLevel, at } }];
  }
  const level = levels[next];
  return [{ type: 'EscalationLevelReached', data: { escalationId, approvalId, level: next, targets: level.notify, channels: channelsOf(level), at } }];
}
