import { createHmac, timingSafeEqual } from 'node:crypto';

export const PAGERDUTY_SIGNATURE_HEADER = 'x-pagerduty-signature';

/** `v1=<hex HMAC-SHA256(secret, raw body)>`, as PagerDuty signs v3 webhooks. */
export const pagerDutySignature = (secret: string, rawBody: string | Buffer): string => `v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;

/**
 * True when one of the header's comma-separated `v1=` signatures (several during a secret rotation) is the body's
 * HMAC under `secret`, compared in constant time.
 */
export function verifyPagerDutySignature(secret: string, header: string | undefined, rawBody: string | Buffer): boolean {
  if (!header) return false;
  const expected = Buffer.from(pagerDutySignature(secret, rawBody));
  return header
    .split(',')
    .map((part) => part.trim())
    .some((candidate) => {
      const actual = Buffer.from(candidate);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    });
}

export interface PagerDutyWebhookEvent {
  readonly id: string;
  /** `incident.acknowledged`, `incident.resolved`, `incident.triggered`… */
  readonly eventType: string;
  readonly occurredAt?: string;
  readonly incidentId?: string;
  /** The dedup key of the alert behind the incident (Vigil's `vigil-incident-<anomaly id>`). */
  readonly incidentKey?: string;
  readonly incidentUrl?: string;
  /** Who did it; `user_reference` for a person, `service_reference` etc. for PagerDuty itself or an integration. */
  readonly agent?: { readonly id?: string; readonly type?: string; readonly summary?: string };
}

/** Reads a v3 webhook body `{event: {id, event_type, occurred_at, agent, data: {id, incident_key, html_url…}}}`. */
export function parsePagerDutyWebhook(body: unknown): PagerDutyWebhookEvent | undefined {
  const e = (body as { event?: Record<string, unknown> } | null)?.event;
  if (!e || typeof e.id !== 'string' || typeof e.event_type !== 'string') return undefined;
  const data = (e.data ?? {}) as Record<string, unknown>;
  const agent = e.agent as { id?: unknown; type?: unknown; summary?: unknown } | null | undefined;
  return {
    id: e.id,
    eventType: e.event_type,
    ...(typeof e.occurred_at === 'string' ? { occurredAt: e.occurred_at } : {}),
    ...(typeof data.id === 'string' ? { incidentId: data.id } : {}),
    ...(typeof data.incident_key === 'string' ? { incidentKey: data.incident_key } : {}),
    ...(typeof data.html_url === 'string' ? { incidentUrl: data.html_url } : {}),
    ...(agent
      ? { agent: { ...(typeof agent.id === 'string' ? { id: agent.id } : {}), ...(typeof agent.type === 'string' ? { type: agent.type } : {}), ...(typeof agent.summary === 'string' ? { summary: agent.summary } : {}) } }
      : {}),
  };
}
