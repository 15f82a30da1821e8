import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's request-signing version; the basestring is `v0:<timestamp>:<raw body>`. */
export const SLACK_SIGNATURE_VERSION = 'v0';
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const SLACK_RETRY_NUM_HEADER = 'x-slack-retry-num';
/** Slack's documented tolerance: refuse requests whose timestamp is more than five minutes from now. */
export const SLACK_MAX_SKEW_SECONDS = 300;

/** `v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<body>")>`, as Slack computes it. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${SLACK_SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

export type SlackSignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'SLACK.SIGNATURE_MISSING' | 'SLACK.TIMESTAMP_SKEW' | 'SLACK.SIGNATURE_MISMATCH'; readonly message: string };

/**
 * Verifies a request from Slack: the timestamp first (a signed request older or newer than five minutes is refused,
 * so a captured request cannot be replayed later), then the signature over the raw body, in constant time.
 */
export function verifySlackRequest(
  signingSecret: string,
  headers: { readonly timestamp?: string; readonly signature?: string },
  rawBody: string | Buffer,
  options: { readonly nowSeconds?: number; readonly maxSkewSeconds?: number } = {},
): SlackSignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { ok: false, code: 'SLACK.SIGNATURE_MISSING', message: 'missing X-Slack-Signature or X-Slack-Request-Timestamp' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, code: 'SLACK.TIMESTAMP_SKEW', message: 'X-Slack-Request-Timestamp is not a unix time' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = Math.abs(now - Number(timestamp));
  if (skew > (options.maxSkewSeconds ?? SLACK_MAX_SKEW_SECONDS)) {
    return { ok: false, code: 'SLACK.TIMESTAMP_SKEW', message: `request timestamp is ${skew} s away from now (more than ${options.maxSkewSeconds ?? SLACK_MAX_SKEW_SECONDS} s)` };
  }
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, rawBody));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, code: 'SLACK.SIGNATURE_MISMATCH', message: 'the request signature does not match' };
  }
  return { ok: true };
}
