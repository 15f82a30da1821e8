import { createHmac, timingSafeEqual } from 'node:crypto';
import { inverseAction, isActionKind, type RemediationAction } from '@vigil/domain/remediation';
import { isJsonObject, type JsonObject } from '@vigil/domain/shared';
import type { Action, ActionExecutor, DryRunResult, ExecutionContext, ExecutionOutcome } from '@vigil/executors';

export const WEBHOOK_DEFAULT_KINDS = ['db.failover', 'region.failover'] as const;
export const WEBHOOK_SIGNATURE_HEADER = 'x-vigil-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-vigil-timestamp';
export const WEBHOOK_REQUESTED_STEP = 'webhook.requested';

export interface WebhookExecutorConfig {
  /** Where the action is POSTed. */
  readonly url: string;
  /** HMAC-SHA256 key of the signature header. */
  readonly secret: string;
  /** Kinds handled; default db.failover and region.failover (ticket.create / notify can be added here). */
  readonly kinds?: readonly string[];
  /** Per-request timeout; default 30 000 ms (a timeout is retryable). */
  readonly timeoutMs?: number;
  /** Extra headers (e.g. an Authorization for the receiver). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly now?: () => Date;
}

/** The JSON body POSTed to the receiver. */
export interface WebhookRequestBody {
  readonly executionId: string;
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly action: Action;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** For receivers: constant-time check of the signature header against the raw body and timestamp header. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string | undefined): boolean {
  if (typeof signature !== 'string') return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `VIGIL_WEBHOOK_URL`, `VIGIL_WEBHOOK_SECRET`, optional `VIGIL_WEBHOOK_KINDS` (comma-separated), `VIGIL_WEBHOOK_TIMEOUT_MS`. Undefined when the URL is unset. */
export function webhookConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookExecutorConfig | undefined {
  const url = env.VIGIL_WEBHOOK_URL?.trim();
  if (!url) return undefined;
  const secret = env.VIGIL_WEBHOOK_SECRET?.trim();
  if (!secret) throw new Error('VIGIL_WEBHOOK_URL is set but VIGIL_WEBHOOK_SECRET is not');
  const kinds = env.VIGIL_WEBHOOK_KINDS?.split(',').map((kind) => kind.trim()).filter(Boolean);
  const timeoutMs = env.VIGIL_WEBHOOK_TIMEOUT_MS ? Number(env.VIGIL_WEBHOOK_TIMEOUT_MS) : undefined;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new Error('VIGIL_WEBHOOK_TIMEOUT_MS must be a positive integer');
  return { url, secret, ...(kinds?.length ? { kinds } : {}), ...(timeoutMs ? { timeoutMs } : {}) };
}

/**
 * Hands an action to an external system: POST `{executionId, idempotencyKey, attempt, action}` as JSON with an
 * `Idempotency-Key` header (the execution's, stable across attempts: the receiver must deduplicate on it) and an
 * HMAC-SHA256 signature. 2xx → succeeded with the response JSON; 408/429, 5xx, timeouts and network errors →
 * retryable; other 4xx → final. The step `webhook.requested` is journaled before each POST.
 */
export class WebhookExecutor implements ActionExecutor {
  readonly kinds: readonly string[];
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(private readonly config: WebhookExecutorConfig) {
    if (!config.url) throw new TypeError('the webhook executor needs a url');
    if (!config.secret) throw new TypeError('the webhook executor needs a secret');
    this.kinds = [...(config.kinds ?? WEBHOOK_DEFAULT_KINDS)];
    this.timeoutMs = config.timeoutMs ?? 30_000;
    this.now = config.now ?? (() => new Date());
  }

  async dryRun(action: Action): Promise<DryRunResult> {
    return {
      supported: false,
      summary: `would POST ${action.kind} on ${action.target} to ${new URL(this.config.url).origin}; the receiver offers no dry run`,
      details: { url: this.config.url, kind: action.kind, target: action.target },
    };
  }

  async execute(action: Action, context: ExecutionContext): Promise<ExecutionOutcome> {
    if (!this.kinds.includes(action.kind)) return failed('WEBHOOK.INVALID_ACTION', `kind ${action.kind} is not handled by this webhook executor`, false);
    const payload: WebhookRequestBody = { executionId: context.executionId, idempotencyKey: context.idempotencyKey, attempt: context.attempt, action };
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    const earlier = context.journal.steps.filter((step) => step.name === WEBHOOK_REQUESTED_STEP).length;

    let response: Response;
    let text: string;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      // Durable before the POST, so the execution's history shows every request the receiver may have seen.
      await context.journal.record({ name: WEBHOOK_REQUESTED_STEP, detail: { url: this.config.url, attempt: context.attempt, earlierRequests: earlier } });
    } catch (error) {
      if (context.signal.aborted) return failed('WEBHOOK.ABORTED', `aborted: ${describe(context.signal.reason ?? error)}`, true);
      return failed('WEBHOOK.JOURNAL_FAILED', `could not journal the request, nothing was sent: ${describe(error)}`, true);
    }
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          ...this.config.headers,
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': context.idempotencyKey,
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.config.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([context.signal, timeout]),
      });
      text = await response.text();
    } catch (error) {
      if (context.signal.aborted) return failed('WEBHOOK.ABORTED', `aborted: ${describe(context.signal.reason ?? error)}`, true);
      if (timeout.aborted) return failed('WEBHOOK.TIMEOUT', `no answer from ${this.config.url} within ${this.timeoutMs} ms`, true);
      return failed('WEBHOOK.UNAVAILABLE', `POST ${this.config.url} failed: ${describe(error)}`, true);
    }

    const json = parseJson(text);
    const status = response.status;
    if (status >= 200 && status < 300) {
      const result: JsonObject = isJsonObject(json) ? json : { response: (json ?? null) as JsonObject[string] };
      const withStatus: JsonObject = { ...result, webhookStatus: status };
      const inverse = isActionKind(action.kind) ? inverseAction(action as RemediationAction, result) : undefined;
      return { status: 'succeeded', result: withStatus, ...(inverse ? { inverse } : {}) };
    }
    const message = `${this.config.url} answered ${status}${messageOf(json, text)}`;
    if (status === 408 || status === 429 || status >= 500) return failed(status >= 500 ? 'WEBHOOK.SERVER_ERROR' : 'WEBHOOK.THROTTLED', message, true);
    if (status >= 400) return failed('WEBHOOK.REJECTED', message, false);
    return failed('WEBHOOK.UNEXPECTED_STATUS', message, false);
  }
}

const failed = (code: string, error: string, retryable: boolean): ExecutionOutcome => ({ status: 'failed', code, error, retryable });

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function messageOf(json: unknown, text: string): string {
  if (isJsonObject(json)) {
    const message = json.message ?? json.error;
    if (typeof message === 'string') return `: ${message}`;
  }
  return text.trim() ? `: ${text.trim().slice(0, 300)}` : '';
}

const describe = (error: unknown): string => {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
};
