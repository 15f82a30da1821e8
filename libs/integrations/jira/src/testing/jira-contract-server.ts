/**
 * A local stand-in for Jira Cloud's REST API v3, for tests: create issue (`POST /rest/api/3/issue`), search
 * (`POST /rest/api/3/search/jql`, `project = "X" AND labels = "y"`), get issue, comments
 * (`POST /rest/api/3/issue/{key}/comment`, Atlassian Document Format bodies; `GET` the same path as a page
 * `{startAt, maxResults, total, comments}` with `startAt`, `maxResults` (at most 100 here) and `orderBy=[-|+]created`) and transitions (`GET|POST
 * /rest/api/3/issue/{key}/transitions`). Basic auth `email:api-token` is checked (401 otherwise), field shapes are
 * checked (400 `{errorMessages, errors}` as Jira answers), failures can be injected, and every request is recorded.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JiraRecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  readonly body: unknown;
  readonly status: number;
}

export interface JiraIssue {
  readonly id: string;
  readonly key: string;
  readonly fields: { summary: string; description: unknown; labels: string[]; issuetype: string; status: { name: string; category: 'new' | 'indeterminate' | 'done' } };
  readonly comments: { readonly id: string; readonly body: unknown; readonly created: string }[];
  readonly transitions: string[];
}

const TRANSITIONS = [
  { id: '11', name: 'To Do', to: { name: 'To Do', statusCategory: { key: 'new' } } },
  { id: '21', name: 'In Progress', to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } },
  { id: '31', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } },
] as const;

/** Text of an ADF document, paragraphs joined by newlines (for assertions). */
export function adfText(doc: unknown): string {
  const walk = (node: unknown): string => {
    const n = node as { type?: string; text?: string; content?: unknown[] };
    if (n?.type === 'text') return n.text ?? '';
    const inner = (n?.content ?? []).map(walk);
    return n?.type === 'doc' || n?.type === 'bulletList' ? inner.join('\n') : inner.join('');
  };
  return walk(doc);
}

function adfProblem(doc: unknown): string | undefined {
  const d = doc as { type?: unknown; version?: unknown; content?: unknown };
  if (typeof d !== 'object' || d === null) return 'must be an Atlassian Document Format document';
  if (d.type !== 'doc' || d.version !== 1 || !Array.isArray(d.content)) return 'must be {type: "doc", version: 1, content: [...]}';
  return undefined;
}

export class JiraContractServer {
  readonly requests: JiraRecordedRequest[] = [];
  readonly issues = new Map<string, JiraIssue>();
  private readonly failures: { pathIncludes: string; remaining: number; status: number; retryAfterSeconds?: number }[] = [];
  private readonly answersToLose: { method: string; pathIncludes: string; remaining: number }[] = [];
  private sequence = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly email: string,
    readonly apiToken: string,
    readonly projectKey: string,
  ) {}

  static async start(options: { email?: string; apiToken?: string; projectKey?: string } = {}): Promise<JiraContractServer> {
    const holder: { instance?: JiraContractServer } = {};
    const server = http.createServer((req, res) => void holder.instance?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new JiraContractServer(server, `http://127.0.0.1:${port}`, options.email ?? 'vigil-bot@example.com', options.apiToken ?? 'jira-api-token', options.projectKey ?? 'OPS');
    return holder.instance;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  failNext(failure: { pathIncludes: string; status: number; times?: number; retryAfterSeconds?: number }): void {
    this.failures.push({ pathIncludes: failure.pathIncludes, remaining: failure.times ?? 1, status: failure.status, retryAfterSeconds: failure.retryAfterSeconds });
  }

  /**
   * The next `times` `method` requests whose path includes `pathIncludes` are carried out, then the connection is
   * dropped before the answer: the caller cannot know Jira took it (as when Vigil dies before recording it).
   */
  loseAnswerNext(loss: { method: string; pathIncludes: string; times?: number }): void {
    this.answersToLose.push({ method: loss.method, pathIncludes: loss.pathIncludes, remaining: loss.times ?? 1 });
  }

  /** The issue carrying `label`. */
  issueWithLabel(label: string): JiraIssue | undefined {
    return [...this.issues.values()].find((issue) => issue.fields.labels.includes(label));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => resolve(text));
    });
    let body: unknown = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const path = (req.url ?? '/').split('?')[0];
    const query = new URL(req.url ?? '/', this.url).searchParams;
    const method = req.method ?? 'GET';
    const reply = (status: number, answer?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method, path, headers: req.headers, body, status });
      const loss = this.answersToLose.find((l) => l.remaining > 0 && l.method === method && path.includes(l.pathIncludes));
      if (loss) {
        loss.remaining--;
        return void req.socket.destroy();
      }
      if (answer === undefined) res.writeHead(status, headers).end();
      else res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers }).end(JSON.stringify(answer));
    };
    const expected = `Basic ${Buffer.from(`${this.email}:${this.apiToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return reply(401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });
    const failure = this.failures.find((f) => f.remaining > 0 && path.includes(f.pathIncludes));
    if (failure) {
      failure.remaining--;
      return reply(failure.status, { errorMessages: ['injected failure'], errors: {} }, failure.retryAfterSeconds ? { 'retry-after': String(failure.retryAfterSeconds) } : {});
    }
    const b = (body ?? {}) as Record<string, unknown>;

    if (method === 'POST' && path === '/rest/api/3/issue') return this.create(b, reply);
    if (method === 'POST' && path === '/rest/api/3/search/jql') {
      const jql = String(b.jql ?? '');
      const project = /project\s*=\s*"?([A-Z][A-Z0-9_]*)"?/.exec(jql)?.[1];
      const label = /labels\s*=\s*"([^"]+)"/.exec(jql)?.[1];
      const issues = [...this.issues.values()].filter((i) => (!project || i.key.startsWith(`${project}-`)) && (!label || i.fields.labels.includes(label)));
      return reply(200, { issues: issues.slice(0, Number(b.maxResults ?? 50)).map((i) => ({ id: i.id, key: i.key, fields: { summary: i.fields.summary } })), isLast: true });
    }
    const match = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9_]*-\d+)(\/comment|\/transitions)?$/.exec(path);
    const issue = match ? this.issues.get(match[1]) : undefined;
    if (match && !issue) return reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
    if (issue && method === 'GET' && !match?.[2]) {
      return reply(200, { id: issue.id, key: issue.key, fields: { summary: issue.fields.summary, status: { name: issue.fields.status.name, statusCategory: { key: issue.fields.status.category } } } });
    }
    if (issue && match?.[2] === '/comment' && method === 'POST') {
      const problem = adfProblem(b.body);
      if (problem) return reply(400, { errorMessages: [], errors: { comment: `Comment body ${problem}` } });
      const comment = { id: String(10000 + ++this.sequence), body: b.body, created: new Date().toISOString() };
      issue.comments.push(comment);
      return reply(201, comment);
    }
    if (issue && match?.[2] === '/comment' && method === 'GET') return this.listComments(issue, query, reply);
    if (issue && match?.[2] === '/transitions' && method === 'GET') return reply(200, { transitions: TRANSITIONS });
    if (issue && match?.[2] === '/transitions' && method === 'POST') {
      const id = (b.transition as { id?: unknown } | undefined)?.id;
      const transition = TRANSITIONS.find((t) => t.id === id);
      if (!transition) return reply(400, { errorMessages: [`Transition id '${String(id)}' is not valid for this issue.`], errors: {} });
      issue.fields.status = { name: transition.to.name, category: transition.to.statusCategory.key };
      issue.transitions.push(transition.name);
      return reply(204);
    }
    return reply(404, { errorMessages: [`No route ${method} ${path}`], errors: {} });
  }

  private listComments(issue: JiraIssue, query: URLSearchParams, reply: (status: number, answer?: unknown) => void): void {
    const startAt = Number(query.get('startAt') ?? 0);
    const maxResults = Math.min(Number(query.get('maxResults') ?? 50), 100);
    const orderBy = query.get('orderBy') ?? 'created';
    if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(maxResults) || maxResults < 0) return reply(400, { errorMessages: ['startAt and maxResults must be non-negative integers'], errors: {} });
    if (!['created', '+created', '-created'].includes(orderBy)) return reply(400, { errorMessages: [`Can not order by '${orderBy}'`], errors: {} });
    // Ids grow with creation, so they order comments made within the same millisecond.
    const ordered = [...issue.comments].sort((a, b) => Number(a.id) - Number(b.id));
    if (orderBy === '-created') ordered.reverse();
    reply(200, { startAt, maxResults, total: ordered.length, comments: ordered.slice(startAt, startAt + maxResults) });
  }

  private create(b: Record<string, unknown>, reply: (status: number, answer?: unknown) => void): void {
    const fields = (b.fields ?? {}) as Record<string, unknown>;
    const errors: Record<string, string> = {};
    const project = (fields.project as { key?: unknown } | undefined)?.key;
    if (project !== this.projectKey) errors.project = 'valid project is required';
    const issuetype = (fields.issuetype as { name?: unknown } | undefined)?.name;
    if (typeof issuetype !== 'string' || !['Task', 'Bug', 'Incident', 'Story'].includes(issuetype)) errors.issuetype = 'Specify an issue type';
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    if (fields.description !== undefined && adfProblem(fields.description)) errors.description = `Operation value must be an Atlassian Document (${adfProblem(fields.description)})`;
    const labels = fields.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || /\s/.test(l))) errors.labels = 'Labels cannot contain spaces';
    if (Object.keys(errors).length) return reply(400, { errorMessages: [], errors });
    const number = ++this.sequence;
    const key = `${this.projectKey}-${number}`;
    this.issues.set(key, {
      id: String(10000 + number),
      key,
      fields: { summary: fields.summary as string, description: fields.description, labels: labels as string[], issuetype: issuetype as string, status: { name: 'To Do', category: 'new' } },
      comments: [],
      transitions: [],
    });
    reply(201, { id: String(10000 + number), key, self: `${this.url}/rest/api/3/issue/${10000 + number}` });
  }
}
