import { Agent } from 'node:https';
import { event } from '@pagerduty/pdjs';

type EventPayloadV2 = Parameters<typeof event>[0]['data'];
import { NotificationDeliveryError } from '@vigil/notifications';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEventsOptions {
  /** Events API base URL (https only: pdjs builds `https://<host>/v2/enqueue`). Default `https://events.pagerduty.com`. */
  readonly url?: string;
  /** Extra CA certificate (PEM) to trust, for a self-hosted proxy or the test contract server. */
  readonly caPem?: string;
  /** Per-request timeout. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** pdjs re-sends a 429 three times by itself, this long apart, before answering it. Default 500 ms. */
  readonly rateLimitRetryMs?: number;
}

export interface PagerDutyEvent {
  readonly routingKey: string;
  readonly action: PagerDutyAction;
  readonly dedupKey: string;
  /** Required to trigger. */
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly customDetails?: Record<string, unknown>;
  };
  readonly links?: readonly { readonly href: string; readonly text?: string }[];
}

/** A PagerDuty Events API call that did not go through; `retryAfterMs` comes from a 429's Retry-After. */
export class PagerDutyError extends NotificationDeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    status?: number,
    readonly retryAfterMs?: number,
  ) {
    super('pagerduty', message, retryable, status);
    this.name = 'PagerDutyError';
  }
}

/**
 * PagerDuty Events API v2 through the official client (`@pagerduty/pdjs` `event()`): trigger, acknowledge and
 * resolve of one alert, addressed by its dedup key. 202 is accepted; 400 (invalid event, bad routing key) is final;
 * 429 (after pdjs's own three re-sends), 5xx and network errors are retryable.
 */
export class PagerDutyEvents {
  private readonly server: string;
  private readonly agent?: Agent;

  constructor(private readonly options: PagerDutyEventsOptions = {}) {
    const url = new URL(options.url ?? 'https://events.pagerduty.com');
    if (url.protocol !== 'https:') throw new TypeError(`PagerDuty Events API URL must be https (pdjs speaks https only): ${options.url}`);
    this.server = url.host;
    if (options.caPem) this.agent = new Agent({ ca: options.caPem, keepAlive: false });
  }

  async send(e: PagerDutyEvent): Promise<{ dedupKey: string; status: number }> {
    if (e.action === 'trigger' && !e.payload) throw new PagerDutyError('a trigger needs a payload', false);
    const data: EventPayloadV2 = {
      routing_key: e.routingKey,
      event_action: e.action,
      dedup_key: e.dedupKey,
      ...(e.payload
        ? {
            payload: {
              summary: e.payload.summary.slice(0, 1024),
              source: e.payload.source,
              severity: e.payload.severity,
              ...(e.payload.timestamp ? { timestamp: e.payload.timestamp } : {}),
              ...(e.payload.component ? { component: e.payload.component } : {}),
              ...(e.payload.group ? { group: e.payload.group } : {}),
              ...(e.payload.class ? { class: e.payload.class } : {}),
              ...(e.payload.customDetails ? { custom_details: e.payload.customDetails } : {}),
            },
          }
        : {}),
      ...(e.links?.length ? { links: e.links.map((l) => ({ href: l.href, ...(l.text ? { text: l.text } : {}) })) } : {}),
    } as EventPayloadV2;
    let response: Awaited<ReturnType<typeof event>>;
    try {
      response = await event({
        server: this.server,
        data,
        // node-fetch (under pdjs) takes these: our CA, a real timeout, and no idle 30 s timer of pdjs's own.
        ...({ agent: this.agent, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000), requestTimeout: 0, retryTimeout: this.options.rateLimitRetryMs ?? 500 } as object),
      });
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (name === 'SyntaxError') throw new PagerDutyError(`PagerDuty answered something that is not JSON`, true);
      const reason = name === 'AbortError' || name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs ?? 10_000} ms` : (error as Error).message;
      throw new PagerDutyError(`PagerDuty Events API unreachable: ${reason}`, true);
    }
    const status = response.status;
    const body = (response.data ?? {}) as { status?: string; message?: string; errors?: string[]; dedup_key?: string };
    if (status === 202 || status === 200) return { dedupKey: body.dedup_key ?? e.dedupKey, status };
    const detail = [body.message, ...(body.errors ?? [])].filter(Boolean).join('; ');
    if (status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      throw new PagerDutyError(`PagerDuty rate limited the ${e.action} (429)`, true, 429, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000);
    }
    throw new PagerDutyError(`PagerDuty refused the ${e.action} (${status}${detail ? `: ${detail}` : ''})`, status >= 500 || status === 408, status);
  }
}
