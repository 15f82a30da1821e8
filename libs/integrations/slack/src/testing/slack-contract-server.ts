/**
 * A local stand-in for the Slack Web API, for tests. Follows Slack's documented conventions: methods at
 * `POST /api/<method>` taking `application/x-www-form-urlencoded` (nested values as JSON text) or JSON bodies,
 * `Authorization: Bearer <token>`, HTTP 200 with `{ok:false, error}` for API errors (`not_authed`, `invalid_auth`,
 * `channel_not_found`, `invalid_blocks`, `message_not_found`, `users_not_found`, `invalid_arguments`…), and HTTP 429
 * with `Retry-After` (seconds) when rate limited. Implements chat.postMessage (with message `metadata`),
 * chat.update, views.open, users.lookupByEmail, and conversations.history / conversations.replies (newest first /
 * parent then replies oldest first, `oldest`/`latest`/`inclusive`, `limit`, opaque `cursor` answered in
 * `response_metadata.next_cursor`, `metadata` only with `include_all_metadata`), plus `POST /response/<id>` to receive what Vigil posts to interactions' response_url.
 * Every request is recorded, and failures can be injected per method.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackRecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  /** Form fields with JSON-looking values parsed (blocks, view), or the JSON body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** What the server answered. */
  readonly status: number;
  readonly answer: unknown;
}

export interface SlackPostedMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  text: string;
  blocks: unknown[];
  /** The message metadata (`{event_type, event_payload}`) it was posted with. */
  readonly metadata?: { readonly event_type: string; readonly event_payload: Record<string, unknown> };
  /** Every version after a chat.update, oldest first. */
  readonly updates: { readonly text: string; readonly blocks: unknown[] }[];
}

interface InjectedFailure {
  readonly method: string;
  remaining: number;
  readonly status?: number;
  readonly error?: string;
  readonly retryAfterSeconds?: number;
}

const KNOWN_BLOCK_TYPES = new Set(['section', 'divider', 'image', 'actions', 'context', 'input', 'header', 'rich_text', 'video', 'file', 'markdown']);

export class SlackContractServer {
  readonly requests: SlackRecordedRequest[] = [];
  readonly messages: SlackPostedMessage[] = [];
  /** Bodies POSTed to response URLs, by the id in `/response/<id>`. */
  readonly responses: { readonly id: string; readonly body: Record<string, unknown> }[] = [];
  readonly openedViews: { readonly triggerId: string; readonly view: Record<string, unknown> }[] = [];
  private readonly users = new Map<string, string>();
  private readonly channels = new Set<string>();
  private readonly failures: InjectedFailure[] = [];
  private readonly answersToLose: { method: string; remaining: number; where?: (body: Readonly<Record<string, unknown>>) => boolean }[] = [];
  private sequence = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly token: string,
  ) {}

  /** `apiUrl` is what Vigil's SLACK_API_URL takes. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  static async start(options: { token?: string; channels?: readonly string[] } = {}): Promise<SlackContractServer> {
    const holder: { instance?: SlackContractServer } = {};
    const server = http.createServer((req, res) => void holder.instance?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new SlackContractServer(server, `http://127.0.0.1:${port}`, options.token ?? 'xoxb-test-token');
    for (const channel of options.channels ?? []) instance.channels.add(channel);
    holder.instance = instance;
    return instance;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addChannel(id: string): void {
    this.channels.add(id);
  }

  addUser(email: string, slackUserId: string): void {
    this.users.set(email.toLowerCase(), slackUserId);
  }

  /** A response URL Vigil may post to (as Slack puts in interaction payloads). */
  responseUrl(id: string): string {
    return `${this.url}/response/${encodeURIComponent(id)}`;
  }

  /** The next `times` calls of `method` fail: with `status: 429` (and Retry-After), another HTTP status, or `{ok:false, error}`. */
  failNext(method: string, failure: { times?: number; status?: number; error?: string; retryAfterSeconds?: number }): void {
    this.failures.push({ method, remaining: failure.times ?? 1, status: failure.status, error: failure.error, retryAfterSeconds: failure.retryAfterSeconds });
  }

  /**
   * The next `times` calls of `method` are carried out, then the connection is dropped before the answer: the caller
   * cannot know Slack took it (as when Vigil dies between Slack's answer and recording it). `where` narrows it to
   * calls with such a body.
   */
  loseAnswerNext(method: string, options: { times?: number; where?: (body: Readonly<Record<string, unknown>>) => boolean } = {}): void {
    this.answersToLose.push({ method, remaining: options.times ?? 1, ...(options.where ? { where: options.where } : {}) });
  }

  calls(method: string): SlackRecordedRequest[] {
    return this.requests.filter((r) => r.path === `/api/${method}`);
  }

  /** Top-level messages (not thread replies) in a channel. */
  topLevel(channel?: string): SlackPostedMessage[] {
    return this.messages.filter((m) => !m.threadTs && (!channel || m.channel === channel));
  }

  thread(ts: string): SlackPostedMessage[] {
    return this.messages.filter((m) => m.threadTs === ts);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => resolve(text));
    });
    const path = (req.url ?? '/').split('?')[0];
    const query = new URL(req.url ?? '/', this.url).searchParams;
    const body = { ...Object.fromEntries(query), ...parseBody(req.headers['content-type'], raw) };
    const reply = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, status, answer });
      const loss = this.answersToLose.find((l) => l.remaining > 0 && path === `/api/${l.method}` && (!l.where || l.where(body)));
      if (loss) {
        loss.remaining--;
        return void req.socket.destroy();
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(answer));
    };

    const response = /^\/response\/(.+)$/.exec(path);
    if (response) {
      if (req.method !== 'POST') return reply(405, { ok: false, error: 'method_not_allowed' });
      if (typeof body.text !== 'string' || body.text === '') return reply(400, { ok: false, error: 'no_text' });
      this.responses.push({ id: decodeURIComponent(response[1]), body });
      return reply(200, { ok: true });
    }

    const apiMethod = /^\/api\/([a-zA-Z.]+)$/.exec(path)?.[1];
    if (!apiMethod) return reply(404, { ok: false, error: 'unknown_method' });
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!auth) return reply(200, { ok: false, error: 'not_authed' });
    if (auth !== this.token) return reply(200, { ok: false, error: 'invalid_auth' });

    const failure = this.failures.find((f) => f.method === apiMethod && f.remaining > 0);
    if (failure) {
      failure.remaining--;
      if (failure.status === 429) return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfterSeconds ?? 1) });
      if (failure.status && failure.status !== 200) return reply(failure.status, { ok: false, error: 'http_error' });
      return reply(200, { ok: false, error: failure.error ?? 'internal_error' });
    }

    switch (apiMethod) {
      case 'chat.postMessage':
        return this.postMessage(body, reply);
      case 'chat.update':
        return this.update(body, reply);
      case 'conversations.history':
      case 'conversations.replies':
        return this.read(apiMethod, body, reply);
      case 'views.open':
        return this.openView(body, reply);
      case 'users.lookupByEmail': {
        if (typeof body.email !== 'string' || !body.email.includes('@')) return reply(200, { ok: false, error: 'invalid_arguments' });
        const id = this.users.get(body.email.toLowerCase());
        return id ? reply(200, { ok: true, user: { id, profile: { email: body.email } } }) : reply(200, { ok: false, error: 'users_not_found' });
      }
      default:
        return reply(200, { ok: false, error: 'unknown_method' });
    }
  }

  private postMessage(body: Record<string, unknown>, reply: (status: number, answer: unknown) => void): void {
    const channel = body.channel;
    if (typeof channel !== 'string' || channel === '') return reply(200, { ok: false, error: 'channel_not_found' });
    if (this.channels.size > 0 && !this.channels.has(channel)) return reply(200, { ok: false, error: 'channel_not_found' });
    const blocks = body.blocks === undefined ? [] : body.blocks;
    const problem = blocksProblem(blocks);
    if (problem) return reply(200, { ok: false, error: 'invalid_blocks', errors: [problem] });
    if ((typeof body.text !== 'string' || body.text === '') && (blocks as unknown[]).length === 0) return reply(200, { ok: false, error: 'no_text' });
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    if (threadTs && !this.messages.some((m) => m.channel === channel && m.ts === threadTs)) return reply(200, { ok: false, error: 'thread_not_found' });
    const metadata = body.metadata as SlackPostedMessage['metadata'] | undefined;
    if (metadata !== undefined && (typeof metadata !== 'object' || typeof metadata.event_type !== 'string' || typeof metadata.event_payload !== 'object' || metadata.event_payload === null)) {
      return reply(200, { ok: false, error: 'invalid_metadata_format' });
    }
    // Real clock seconds (so `oldest` works as with Slack), made unique by the sequence in the microseconds.
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.sequence).padStart(6, '0')}`;
    const message: SlackPostedMessage = { channel, ts, ...(threadTs ? { threadTs } : {}), text: String(body.text ?? ''), blocks: blocks as unknown[], ...(metadata ? { metadata } : {}), updates: [] };
    this.messages.push(message);
    reply(200, { ok: true, channel, ts, message: { text: message.text, ts } });
  }

  private update(body: Record<string, unknown>, reply: (status: number, answer: unknown) => void): void {
    const message = this.messages.find((m) => m.channel === body.channel && m.ts === body.ts);
    if (!message) return reply(200, { ok: false, error: 'message_not_found' });
    const blocks = body.blocks === undefined ? message.blocks : body.blocks;
    const problem = blocksProblem(blocks);
    if (problem) return reply(200, { ok: false, error: 'invalid_blocks', errors: [problem] });
    message.text = typeof body.text === 'string' ? body.text : message.text;
    message.blocks = blocks as unknown[];
    message.updates.push({ text: message.text, blocks: message.blocks });
    reply(200, { ok: true, channel: message.channel, ts: message.ts, text: message.text });
  }

  /** conversations.history (a channel's top-level messages, newest first) or conversations.replies (a thread, parent first). */
  private read(method: 'conversations.history' | 'conversations.replies', body: Record<string, unknown>, reply: (status: number, answer: unknown) => void): void {
    const channel = body.channel;
    if (typeof channel !== 'string' || channel === '' || (this.channels.size > 0 && !this.channels.has(channel))) return reply(200, { ok: false, error: 'channel_not_found' });
    const flag = (value: unknown) => value === true || value === 'true' || value === '1' || value === 1;
    const time = (value: unknown, fallback: number) => (value === undefined || value === '' ? fallback : Number(value));
    const oldest = time(body.oldest, 0);
    const latest = time(body.latest, Number.POSITIVE_INFINITY);
    if (!Number.isFinite(oldest) || Number.isNaN(latest)) return reply(200, { ok: false, error: 'invalid_ts_oldest' });
    const limit = time(body.limit, method === 'conversations.history' ? 100 : 1000);
    if (!Number.isInteger(limit) || limit < 1) return reply(200, { ok: false, error: 'invalid_limit' });
    const inclusive = flag(body.inclusive);
    const inRange = (m: SlackPostedMessage) => {
      const at = Number(m.ts);
      return (inclusive ? at >= oldest : at > oldest) && (inclusive ? at <= latest : at < latest);
    };
    let selected: SlackPostedMessage[];
    if (method === 'conversations.history') {
      selected = this.topLevel(channel).filter(inRange).sort((a, b) => Number(b.ts) - Number(a.ts));
    } else {
      const parent = this.messages.find((m) => m.channel === channel && m.ts === body.ts && !m.threadTs);
      if (!parent) return reply(200, { ok: false, error: 'thread_not_found' });
      selected = [parent, ...this.thread(parent.ts)].filter(inRange).sort((a, b) => Number(a.ts) - Number(b.ts));
    }
    let start = 0;
    if (typeof body.cursor === 'string' && body.cursor !== '') {
      start = Number(/^offset:(\d+)$/.exec(Buffer.from(body.cursor, 'base64').toString('utf8'))?.[1] ?? NaN);
      if (!Number.isInteger(start)) return reply(200, { ok: false, error: 'invalid_cursor' });
    }
    const page = selected.slice(start, start + Math.min(limit, 999));
    const hasMore = start + page.length < selected.length;
    const withMetadata = flag(body.include_all_metadata);
    const messages = page.map((m) => ({
      type: 'message',
      ts: m.ts,
      text: m.text,
      ...(m.threadTs ? { thread_ts: m.threadTs } : this.thread(m.ts).length ? { thread_ts: m.ts, reply_count: this.thread(m.ts).length } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    }));
    reply(200, { ok: true, messages, has_more: hasMore, response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${start + page.length}`).toString('base64') : '' } });
  }

  private openView(body: Record<string, unknown>, reply: (status: number, answer: unknown) => void): void {
    if (typeof body.trigger_id !== 'string' || body.trigger_id === '') return reply(200, { ok: false, error: 'invalid_arguments' });
    const view = body.view as Record<string, unknown> | undefined;
    if (!view || typeof view !== 'object' || view.type !== 'modal') return reply(200, { ok: false, error: 'invalid_arguments' });
    const title = view.title as { type?: string; text?: string } | undefined;
    if (!title || title.type !== 'plain_text' || !title.text || title.text.length > 24) return reply(200, { ok: false, error: 'invalid_arguments', errors: ['title must be plain_text of at most 24 characters'] });
    const problem = blocksProblem(view.blocks);
    if (problem) return reply(200, { ok: false, error: 'invalid_arguments', errors: [problem] });
    if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) return reply(200, { ok: false, error: 'invalid_arguments', errors: ['private_metadata is longer than 3000'] });
    this.openedViews.push({ triggerId: body.trigger_id, view });
    reply(200, { ok: true, view: { id: `V${String(++this.sequence).padStart(8, '0')}`, ...view } });
  }
}

function parseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if ((contentType ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const fields: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    fields[name] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return fields;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The checks Slack makes that matter here: an array of at most 50 typed blocks, section texts at most 3000, at most 10 fields. */
function blocksProblem(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > 50) return 'at most 50 blocks';
  for (const [index, block] of blocks.entries()) {
    const b = block as { type?: unknown; text?: { text?: unknown }; fields?: unknown[]; elements?: unknown[] };
    if (typeof b !== 'object' || b === null || typeof b.type !== 'string' || !KNOWN_BLOCK_TYPES.has(b.type)) return `blocks[${index}]: unknown block type`;
    if (typeof b.text?.text === 'string' && b.text.text.length > 3000) return `blocks[${index}].text: longer than 3000`;
    if (Array.isArray(b.fields) && b.fields.length > 10) return `blocks[${index}].fields: more than 10`;
    if (b.type === 'actions' && (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25)) return `blocks[${index}].elements: 1 to 25 elements`;
  }
  return undefined;
}
