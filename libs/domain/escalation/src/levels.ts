import { Duration, durationToMs } from './duration';

export const NOTIFICATION_CHANNELS = ['log', 'webhook', 'slack', 'pagerduty'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const isNotificationChannel = (value: unknown): value is NotificationChannel =>
  NOTIFICATION_CHANNELS.includes(value as NotificationChannel);

/** Who to tell and how: everyone holding a role, or one named user. */
export type NotifyTarget =
  | { readonly role: string; readonly channel: NotificationChannel }
  | { readonly user: string; readonly channel: NotificationChannel };

export interface EscalationLevel {
  /** 0, 1, 2… in order. Level 0 is the notice sent with the approval request. */
  readonly level: number;
  /** When the level is reached, measured from the approval request. */
  readonly after: Duration;
  readonly notify: readonly NotifyTarget[];
}

export interface LevelProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Structural checks on a list of levels; `path` names the bad field relative to `at`.
 * `knownRoles`, when given, must contain every role a target names.
 */
export function validateEscalationLevels(levels: unknown, at = 'levels', knownRoles?: readonly string[]): LevelProblem[] {
  if (!Array.isArray(levels) || levels.length === 0) return [{ path: at, message: 'must be a non-empty list of levels' }];
  const problems: LevelProblem[] = [];
  let previousAfter = -1;
  levels.forEach((candidate: unknown, index) => {
    const path = `${at}[${index}]`;
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      problems.push({ path, message: 'must be an object {level, after, notify}' });
      return;
    }
    const { level, after, notify } = candidate as Record<string, unknown>;
    if (level !== index) problems.push({ path: `${path}.level`, message: `must be ${index}: levels are numbered 0, 1, 2… in order` });
    const afterMs = durationToMs(after);
    if (afterMs === undefined) {
      problems.push({ path: `${path}.after`, message: "must be minutes (a number) or a duration such as '15m', '1h', 'PT30M'" });
    } else if (index === 0 && afterMs !== 0) {
      problems.push({ path: `${path}.after`, message: 'level 0 is the notice sent with the request: its after must be 0' });
    } else if (afterMs <= previousAfter) {
      problems.push({ path: `${path}.after`, message: 'must be later than the previous level' });
    }
    if (afterMs !== undefined) previousAfter = afterMs;
    if (!Array.isArray(notify) || notify.length === 0) {
      problems.push({ path: `${path}.notify`, message: 'must be a non-empty list of {role|user, channel}' });
      return;
    }
    notify.forEach((target: unknown, t) => problems.push(...validateTarget(target, `${path}.notify[${t}]`, knownRoles)));
  });
  return problems;
}

function validateTarget(target: unknown, path: string, knownRoles?: readonly string[]): LevelProblem[] {
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return [{ path, message: 'must be an object {role|user, channel}' }];
  const { role, user, channel } = target as Record<string, unknown>;
  const problems: LevelProblem[] = [];
  if ((role === undefined) === (user === undefined)) {
    problems.push({ path, message: 'must name exactly one of role or user' });
  } else if (role !== undefined) {
    if (typeof role !== 'string' || role === '') problems.push({ path: `${path}.role`, message: 'must be a non-empty string' });
    else if (knownRoles && !knownRoles.includes(role)) problems.push({ path: `${path}.role`, message: `unknown role '${role}'` });
  } else if (typeof user !== 'string' || user === '') {
    problems.push({ path: `${path}.user`, message: 'must be a non-empty string' });
  }
  if (!isNotificationChannel(channel)) problems.push({ path: `${path}.channel`, message: `must be one of ${NOTIFICATION_CHANNELS.join(', ')}` });
  return problems;
}

/** The distinct channels of a level, in the order they first appear. */
export const channelsOf = (level: EscalationLevel): NotificationChannel[] => [...new Set(level.notify.map((target) => target.channel))];
