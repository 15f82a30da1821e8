import { KnownBlock, LogLevel, View, WebClient } from '@slack/web-api';
import { SlackApiError, toSlackApiError } from './slack-errors';

export interface SlackApiOptions {
  /** Bot token (xoxb-…), sent as `Authorization: Bearer`. */
  readonly token: string;
  /** Web API base URL, ending in `/api/`. Default `https://slack.com/api/`; tests point it at a contract server. */
  readonly apiUrl?: string;
  /** Per-request timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export interface SlackMessage {
  readonly channel: string;
  readonly text: string;
  readonly blocks?: readonly KnownBlock[];
  /** Reply in this message's thread. */
  readonly threadTs?: string;
  /** Stamped on the message as metadata, so a retry can find it (see findByDeliveryKey). */
  readonly deliveryKey?: string;
}

/** Where to look for a message an earlier try may have posted. */
export interface DeliveryLookup {
  readonly channel: string;
  readonly deliveryKey: string;
  /** Only messages posted at or after this ISO time; for a thread reply, the thread's replies (its parent ts). */
  readonly since: string;
  readonly threadTs?: string;
}

/** The `event_type` of the message metadata Vigil stamps on what it posts. */
export const DELIVERY_METADATA_EVENT = 'vigil_delivery';
/** Page size of conversations.history / conversations.replies (Slack allows up to 999 for history, 1000 for replies). */
const LOOKUP_PAGE_SIZE = 200;
/** Pages read before giving up (and posting): a busy channel must not stall the delivery. */
const LOOKUP_MAX_PAGES = 10;

export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/**
 * The Slack Web API calls Vigil makes, through the official client (`@slack/web-api`) with its own retries turned
 * off: a 429 is rejected at once with Slack's Retry-After, so the delivery queue (not a sleeping client) decides when
 * to try again. Every failure is a SlackApiError saying whether another try can help.
 */
export class SlackApi {
  readonly client: WebClient;
  private readonly timeoutMs: number;

  constructor(options: SlackApiOptions) {
    if (!options.token) throw new TypeError('SlackApi: a bot token is required');
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl ?? 'https://slack.com/api/',
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: this.timeoutMs,
      logLevel: LogLevel.ERROR,
      // Method names only: never let a call reach an absolute URL other than the configured API.
      allowAbsoluteUrls: false,
    });
  }

  async postMessage(message: SlackMessage): Promise<PostedMessage> {
    const result = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel: message.channel,
        text: message.text,
        ...(message.blocks ? { blocks: [...message.blocks] } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        ...(message.deliveryKey ? { metadata: { event_type: DELIVERY_METADATA_EVENT, event_payload: { key: message.deliveryKey } } } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (typeof result.ts !== 'string' || typeof result.channel !== 'string') throw new SlackApiError('chat.postMessage: answer without channel or ts', false, 200, 'bad_response');
    return { channel: result.channel, ts: result.ts };
  }

  /**
   * Posts unless an earlier try already did: chat.postMessage has no idempotency key, so when `lookFirst` the
   * message is searched by its delivery key before posting (a try that Slack accepted but whose answer was lost).
   */
  async postOnce(message: SlackMessage & { readonly deliveryKey: string }, lookFirst: { readonly since: string } | undefined): Promise<PostedMessage & { readonly found: boolean }> {
    if (lookFirst) {
      const lookup = { channel: message.channel, deliveryKey: message.deliveryKey, since: lookFirst.since, ...(message.threadTs ? { threadTs: message.threadTs } : {}) };
      const found = await this.findByDeliveryKey(lookup).catch((error: unknown) => {
        // An app installed without the history scopes still delivers (at the old risk of a duplicate), not dead-letters.
        if (error instanceof SlackApiError && error.slackError === 'missing_scope') return undefined;
        throw error;
      });
      if (found) return { ...found, found: true };
    }
    return { ...(await this.postMessage(message)), found: false };
  }

  /**
   * The message carrying `deliveryKey` in its metadata, if any. Channel messages come from conversations.history,
   * thread replies from conversations.replies, both with `include_all_metadata`, `oldest` and cursor paging
   * (`response_metadata.next_cursor`), as documented at docs.slack.dev/reference/methods/conversations.history and
   * /conversations.replies; the metadata shape is `{event_type, event_payload}` (docs.slack.dev/messaging/message-metadata).
   * Needs channels:history (public) or groups:history (private channels).
   */
  async findByDeliveryKey(lookup: DeliveryLookup): Promise<PostedMessage | undefined> {
    const oldest = (Date.parse(lookup.since) / 1000).toFixed(6);
    if (!Number.isFinite(Number(oldest))) throw new TypeError(`findByDeliveryKey: not a time: ${lookup.since}`);
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      const common = { channel: lookup.channel, oldest, inclusive: true, include_all_metadata: true, limit: LOOKUP_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
      const result = lookup.threadTs
        ? await this.call('conversations.replies', () => this.client.conversations.replies({ ...common, ts: lookup.threadTs! }))
        : await this.call('conversations.history', () => this.client.conversations.history(common));
      const match = (result.messages ?? []).find((m) => m.metadata?.event_type === DELIVERY_METADATA_EVENT && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === lookup.deliveryKey);
      if (match?.ts) return { channel: lookup.channel, ts: match.ts };
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  async update(message: { readonly channel: string; readonly ts: string; readonly text: string; readonly blocks: readonly KnownBlock[] }): Promise<PostedMessage> {
    const result = await this.call('chat.update', () => this.client.chat.update({ channel: message.channel, ts: message.ts, text: message.text, blocks: [...message.blocks] }));
    return { channel: typeof result.channel === 'string' ? result.channel : message.channel, ts: typeof result.ts === 'string' ? result.ts : message.ts };
  }

  async openView(triggerId: string, view: View): Promise<string | undefined> {
    const result = await this.call('views.open', () => this.client.views.open({ trigger_id: triggerId, view }));
    return result.view?.id;
  }

  /** The Slack user id of an email address, or undefined when Slack knows no such user (`users_not_found`). */
  async lookupByEmail(email: string): Promise<string | undefined> {
    try {
      const result = await this.call('users.lookupByEmail', () => this.client.users.lookupByEmail({ email }));
      return result.user?.id;
    } catch (error) {
      if (error instanceof SlackApiError && error.slackError === 'users_not_found') return undefined;
      throw error;
    }
  }

  /**
   * Posts to an interaction's `response_url` (no token: the URL is the credential). Used for ephemeral answers to
   * the person who clicked; the URL must be one Slack gave in a verified payload.
   */
  async respond(responseUrl: string, message: { readonly text: string; readonly ephemeral?: boolean }): Promise<void> {
    let response: Response;
    try {
      response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message.text, response_type: message.ephemeral === false ? 'in_channel' : 'ephemeral', replace_original: false }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SlackApiError(`response_url: unreachable: ${(error as Error).message}`, true, undefined, 'network');
    }
    const text = await response.text().catch(() => '');
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after') ?? '1');
      throw new SlackApiError('response_url: rate limited', true, 429, 'ratelimited', (Number.isFinite(seconds) ? seconds : 1) * 1000);
    }
    if (!response.ok) throw new SlackApiError(`response_url answered ${response.status}: ${text.slice(0, 200)}`, response.status >= 500, response.status, `http_${response.status}`);
  }

  private async call<T extends { ok?: boolean }>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toSlackApiError(method, error);
    }
  }
}
