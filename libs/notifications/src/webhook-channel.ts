import { createHmac, timingSafeEqual } from 'node:crypto';
import { Delivery, Notification, NotificationChannel, NotificationDeliveryError } from './notification';

export interface WebhookChannelOptions {
  readonly url: string;
  /** Signs every delivery (HMAC-SHA256); receivers check it with `verifyWebhookSignature`. */
  readonly secret: string;
  /** Channel name in logs and delivery refs. Default `webhook`. */
  readonly name?: string;
  /** Per-request timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Seconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
}

export const SIGNATURE_HEADER = 'x-vigil-signature';
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';
export const DELIVERY_HEADER = 'x-vigil-delivery';

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): the timestamp is signed so a delivery cannot be replayed later. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: the signature matches and the timestamp is within `toleranceSeconds` of now. */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly timestamp?: string; readonly signature?: string },
  body: string,
  options: { readonly toleranceSeconds?: number; readonly now?: number } = {},
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * POSTs each notification as JSON to a configured URL, signed. A 2xx is a delivery (its JSON `id`, if any, is
 * the external reference); anything else is a NotificationDeliveryError — retryable for timeouts, network
 * errors, 408, 429 and 5xx.
 */
export class WebhookChannel implements NotificationChannel {
  readonly name: string;

  constructor(private readonly options: WebhookChannelOptions) {
    this.name = options.name ?? 'webhook';
    if (!/^https?:\/\/[^/]/.test(options.url)) throw new TypeError(`WebhookChannel: not an http(s) URL: ${options.url}`);
    if (!options.secret) throw new TypeError('WebhookChannel: a signing secret is required');
  }

  async send(notification: Notification): Promise<Delivery> {
    const body = JSON.stringify({
      id: notification.key,
      channel: notification.channel,
      target: notification.target,
      severity: notification.severity,
      subject: notification.subject,
      message: notification.message,
      at: notification.at,
      escalationId: notification.escalationId,
      level: notification.level,
      correlationId: notification.correlationId,
      refs: notification.refs,
    });
    const timestamp = String(this.options.clock?.() ?? Math.floor(Date.now() / 1000));
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          ...this.options.headers,
          'content-type': 'application/json',
          [DELIVERY_HEADER]: notification.key,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(this.options.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (error) {
      // DOMException from fetch's realm: compare names, not classes.
      const name = (error as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const reason = timedOut ? `no answer from the webhook within ${this.options.timeoutMs ?? 5000} ms` : `webhook unreachable: ${causeOf(error)}`;
      throw new NotificationDeliveryError(this.name, reason, true);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      throw new NotificationDeliveryError(this.name, `webhook answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, retryable, response.status);
    }
    return { externalRef: `${this.name}:${deliveryIdOf(text) ?? notification.key}` };
  }
}

function deliveryIdOf(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/** fetch wraps network errors as `TypeError: fetch failed` with the useful part in `cause`. */
function causeOf(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: string; cause?: { message?: string; code?: string } };
  return [message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
}
