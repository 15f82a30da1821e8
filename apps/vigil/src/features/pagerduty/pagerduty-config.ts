import { readFileSync } from 'node:fs';

export interface PagerDutyConfig {
  /** Routing (integration) keys by the variable that holds them: `PAGERDUTY_ROUTING_KEY`, `PAGERDUTY_ROUTING_KEY_LEVEL_1`… */
  readonly routingKeys: Readonly<Record<string, string>>;
  readonly eventsUrl?: string;
  readonly caPem?: string;
  readonly webhookSecret?: string;
  /** `payload.source` of every event. */
  readonly source: string;
  readonly publicUrl?: string;
}

/**
 * PagerDuty is on when PAGERDUTY_ROUTING_KEY or any PAGERDUTY_ROUTING_KEY_LEVEL_<n> is set. Escalation level n pages
 * through PAGERDUTY_ROUTING_KEY_LEVEL_<n>, falling back to PAGERDUTY_ROUTING_KEY; severe-anomaly pages use
 * PAGERDUTY_ROUTING_KEY (or LEVEL_1 when that is all there is).
 */
export function pagerDutyConfigFrom(env: NodeJS.ProcessEnv): PagerDutyConfig | undefined {
  const routingKeys: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if ((name === 'PAGERDUTY_ROUTING_KEY' || /^PAGERDUTY_ROUTING_KEY_LEVEL_\d+$/.test(name)) && value?.trim()) routingKeys[name] = value.trim();
  }
  if (Object.keys(routingKeys).length === 0) {
    if (env.PAGERDUTY_WEBHOOK_SECRET?.trim()) return { routingKeys, webhookSecret: env.PAGERDUTY_WEBHOOK_SECRET.trim(), source: 'vigil' };
    return undefined;
  }
  const caFile = env.PAGERDUTY_CA_FILE?.trim();
  return {
    routingKeys,
    ...(env.PAGERDUTY_EVENTS_URL?.trim() ? { eventsUrl: env.PAGERDUTY_EVENTS_URL.trim() } : {}),
    ...(caFile ? { caPem: readFileSync(caFile, 'utf8') } : {}),
    ...(env.PAGERDUTY_WEBHOOK_SECRET?.trim() ? { webhookSecret: env.PAGERDUTY_WEBHOOK_SECRET.trim() } : {}),
    source: env.PAGERDUTY_SOURCE?.trim() || 'vigil',
    ...(env.VIGIL_PUBLIC_URL?.trim() ? { publicUrl: env.VIGIL_PUBLIC_URL.trim().replace(/\/+$/, '') } : {}),
  };
}

/** The variable whose routing key pages escalation `level` (undefined: a severe-anomaly page). */
export function routingKeyNameFor(config: PagerDutyConfig, level: number | undefined): string | undefined {
  if (level !== undefined && config.routingKeys[`PAGERDUTY_ROUTING_KEY_LEVEL_${level}`]) return `PAGERDUTY_ROUTING_KEY_LEVEL_${level}`;
  if (config.routingKeys.PAGERDUTY_ROUTING_KEY) return 'PAGERDUTY_ROUTING_KEY';
  return Object.keys(config.routingKeys).sort()[0];
}
