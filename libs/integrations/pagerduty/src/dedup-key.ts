/**
 * The PagerDuty dedup key of a Vigil incident: `vigil-incident-<anomaly id>`. Deterministic (never a timestamp), so
 * the severe-anomaly page, every escalation level's page, the acknowledge on grant and the resolve after verified
 * recovery all address the same PagerDuty alert, and a retried trigger is deduplicated by PagerDuty itself.
 * When an approval has no anomaly behind it, the proposal stands in for the incident: `vigil-proposal-<id>`.
 */
export const DEDUP_KEY_PREFIX = 'vigil-incident-';
export const pagerDutyDedupKey = (anomalyId: string): string => `${DEDUP_KEY_PREFIX}${anomalyId}`;
export const proposalDedupKey = (proposalId: string): string => `vigil-proposal-${proposalId}`;

/** The anomaly id of a dedup key Vigil made, or undefined. */
export function anomalyIdOfDedupKey(dedupKey: string | undefined | null): string | undefined {
  if (!dedupKey?.startsWith(DEDUP_KEY_PREFIX)) return undefined;
  const id = dedupKey.slice(DEDUP_KEY_PREFIX.length);
  return /^[0-9a-f-]{36}$/i.test(id) ? id : undefined;
}
