import { ErrorCode } from '@slack/web-api';
import { NotificationDeliveryError } from '@vigil/notifications';

/** Slack `error` codes worth another try: the rest (bad token, unknown channel, invalid blocks…) will fail the same way. */
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** A Slack call that did not go through; `retryAfterMs` is Slack's Retry-After on a 429. */
export class SlackApiError extends NotificationDeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    status: number | undefined,
    /** Slack's `error` code (`channel_not_found`, `invalid_auth`…) or `http_<status>` / `network`. */
    readonly slackError: string,
    readonly retryAfterMs?: number,
  ) {
    super('slack', message, retryable, status);
    this.name = 'SlackApiError';
  }
}

interface SlackLibraryError {
  readonly code?: string;
  readonly data?: { readonly error?: string };
  readonly retryAfter?: number;
  readonly statusCode?: number;
  readonly body?: unknown;
  readonly original?: Error;
  readonly message?: string;
}

/** Maps @slack/web-api errors to delivery errors: 429 and 5xx and network errors are retryable, `ok:false` mostly not. */
export function toSlackApiError(method: string, error: unknown): SlackApiError {
  if (error instanceof SlackApiError) return error;
  const e = (error ?? {}) as SlackLibraryError;
  switch (e.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = typeof e.retryAfter === 'number' ? e.retryAfter : 1;
      return new SlackApiError(`${method}: rate limited by Slack, retry after ${seconds} s`, true, 429, 'ratelimited', seconds * 1000);
    }
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new SlackApiError(`${method}: Slack answered ok:false (${code})`, RETRYABLE_SLACK_ERRORS.has(code), 200, code);
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      return new SlackApiError(`${method}: Slack answered HTTP ${status}`, status >= 500 || status === 408, status, `http_${status}`);
    }
    case ErrorCode.RequestError:
      return new SlackApiError(`${method}: Slack unreachable: ${e.original?.message ?? e.message ?? 'request failed'}`, true, undefined, 'network');
    default:
      return new SlackApiError(`${method}: ${e.message ?? String(error)}`, false, undefined, 'unknown');
  }
}
