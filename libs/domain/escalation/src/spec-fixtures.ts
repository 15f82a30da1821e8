import { CommandMetadata, deciderSpecification } from '@vigil/domain/shared';
import { escalationDecider } from './decider';
import { EscalationLevelReached, EscalationStarted } from './events';
import { EscalationLevel } from './levels';

export const spec = deciderSpecification(escalationDecider);
export const T0 = '2025-03-01T10:00:00.000Z';
export const T1 = '2025-03-01T10:15:00.000Z';
export const T2 = '2025-03-01T10:30:00.000Z';
export const meta = (now = T1, actor = 'system:saga'): CommandMetadata => ({ actor, now });

export const levels: EscalationLevel[] = [
  { level: 0, after: 0, notify: [{ role: 'team-lead', channel: 'slack' }, { role: 'team-lead', channel: 'log' }] },
  { level: 1, after: '30m', notify: [{ role: 'team-lead', channel: 'pagerduty' }] },
  { level: 2, after: '1h', notify: [{ user: 'u-head-of-sre', channel: 'pagerduty' }] },
];

export const started: EscalationStarted = { type: 'EscalationStarted', data: { escalationId: 'esc-1', approvalId: 'appr-1', levels, at: T0 } };
export const reached = (level: 0 | 1 | 2, at: string): EscalationLevelReached => ({
  type: 'EscalationLevelReached',
  data: {
    escalationId: 'esc-1',
    approvalId: 'appr-1',
    level,
    targets: levels[level].notify,
    channels: [...new Set(levels[level].notify.map((t) => t.channel))],
    at,
  },
});
