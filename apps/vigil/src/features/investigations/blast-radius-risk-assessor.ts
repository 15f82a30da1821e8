import { RiskAssessor } from '@vigil/domain/approval-saga';
import { assessRisk, FreezeWindow, RiskRules } from '@vigil/investigation';

/**
 * The saga's RiskAssessor with blast radius: the policy's tier for the action, raised by the proposal's risk context
 * (traffic share, dependents, replicas in production) and by an active change freeze at the triggering event's
 * instant (libs/investigation's assessRisk). Without the saga's input (a caller outside the saga) no freeze applies.
 */
export function blastRadiusRiskAssessor(freezeWindows: readonly FreezeWindow[] = [], rules: Partial<RiskRules> = {}): RiskAssessor {
  return (action, policy, input) =>
    assessRisk(action, policy, { now: input?.now ?? 0, ...input?.riskContext, freezeWindows: input ? freezeWindows : [] }, rules);
}

/**
 * Change freezes from configuration (e.g. VIGIL_FREEZE_WINDOWS): a JSON list of
 * `{start, end, reason?, environments?, services?}` with ISO-8601 instants. Unset or empty: no freezes.
 */
export function parseFreezeWindows(json: string | undefined): FreezeWindow[] {
  if (!json?.trim()) return [];
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('freeze windows must be a JSON list of {start, end, reason?, environments?, services?}');
  return parsed.map((entry: unknown, index) => {
    const window = entry as Partial<Record<keyof FreezeWindow, unknown>>;
    const instant = (value: unknown, field: string): string => {
      if (typeof value !== 'string' || !Number.isFinite(Date.parse(value))) throw new Error(`freeze window ${index}: ${field} must be an ISO-8601 instant`);
      return value;
    };
    const names = (value: unknown, field: string): readonly string[] | undefined => {
      if (value === undefined) return undefined;
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) throw new Error(`freeze window ${index}: ${field} must be a list of names`);
      return value;
    };
    const environments = names(window.environments, 'environments');
    const services = names(window.services, 'services');
    return {
      start: instant(window.start, 'start'),
      end: instant(window.end, 'end'),
      ...(typeof window.reason === 'string' ? { reason: window.reason } : {}),
      ...(environments ? { environments } : {}),
      ...(services ? { services } : {}),
    };
  });
}
