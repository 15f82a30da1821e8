import { RecordNotificationFailed, RecordNotificationSent, RecordNotificationSuppressed } from '../commands';
import { EscalationErrors } from '../errors';
import { NotificationFailed, NotificationSent, NotificationSuppressed } from '../events';
import { channelsOf } from '../levels';
import { EscalationState } from '../state';
import { requireStarted } from './guards';

/**
 * Delivery outcomes are facts about notifications already sent at a reached level, so they are recorded even after
 * the escalation stopped: the stop ends the escalating, not the record of what was sent.
 */
export function recordNotificationSent(command: RecordNotificationSent, state: EscalationState): [NotificationSent] {
  const { escalationId, level, channel, target, externalRef } = command.data;
  requireReachedChannel(state, escalationId, level, channel);
  if (typeof externalRef !== 'string' || externalRef === '') {
    throw EscalationErrors.raise('ESCALATION.INVALID_INPUT', 'externalRef must be a non-empty string', { field: 'externalRef' });
  }
  return [{ type: 'NotificationSent', data: { escalationId, level, channel, target, externalRef, at: command.metadata.now } }];
}

export function recordNotificationFailed(command: RecordNotificationFailed, state: EscalationState): [NotificationFailed] {
  const { escalationId, level, channel, target, error, retryable } = command.data;
  requireReachedChannel(state, escalationId, level, channel);
  return [{ type: 'NotificationFailed', data: { escalationId, level, channel, target, error, retryable, at: command.metadata.now } }];
}

export function recordNotificationSuppressed(command: RecordNotificationSuppressed, state: EscalationState): [NotificationSuppressed] {
  const { escalationId, level, channel, target, silenceId, reason } = command.data;
  requireReachedChannel(state, escalationId, level, channel);
  if (typeof silenceId !== 'string' || silenceId === '') {
    throw EscalationErrors.raise('ESCALATION.INVALID_INPUT', 'silenceId must be a non-empty string', { field: 'silenceId' });
  }
  return [{ type: 'NotificationSuppressed', data: { escalationId, level, channel, target, silenceId, reason, at: command.metadata.now } }];
}

function requireReachedChannel(state: EscalationState, escalationId: string, level: number, channel: string): void {
  const started = requireStarted(state, escalationId);
  if (!Number.isInteger(level) || level < 0 || level > started.currentLevel) {
    throw EscalationErrors.raise('ESCALATION.LEVEL_NOT_REACHED', `escalation ${escalationId} has not reached level ${level}`, {
      escalationId,
      level,
      currentLevel: started.currentLevel,
    });
  }
  const channels: readonly string[] = channelsOf(started.levels[level]);
  if (!channels.includes(channel)) {
    throw EscalationErrors.raise('ESCALATION.INVALID_INPUT', `level ${level} does not notify through ${channel}`, { field: 'channel' });
  }
}
