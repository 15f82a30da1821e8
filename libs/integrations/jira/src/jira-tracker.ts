import { Version3Client } from 'jira.js';
import type { Version3 } from 'jira.js';

type Document = Version3.Version3Models.Document;
import { NotificationDeliveryError } from '@vigil/notifications';

export interface JiraOptions {
  /** Site URL, e.g. `https://acme.atlassian.net` (a contract server in tests). */
  readonly host: string;
  /** Basic auth: the account's email and an API token. */
  readonly email: string;
  readonly apiToken: string;
  readonly projectKey: string;
  /** Issue type name. Default `Task`. */
  readonly issueType?: string;
  /** Name of the transition to take on resolution; default the first whose target status is in the `done` category. */
  readonly doneTransition?: string;
  readonly timeoutMs?: number;
}

/** A paragraph or a bullet list: what Vigil writes into descriptions and comments (Atlassian Document Format). */
export type JiraText = string | { readonly bullets: readonly string[] } | { readonly link: string; readonly text: string };

/** A Jira call that did not go through; 429 carries Retry-After. */
export class JiraError extends NotificationDeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    status?: number,
    readonly retryAfterMs?: number,
  ) {
    super('jira', message, retryable, status);
    this.name = 'JiraError';
  }
}

/** Atlassian Document Format for plain paragraphs, bullet lists and links. */
export function adf(blocks: readonly JiraText[]): Document {
  const paragraph = (text: string) => ({ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] });
  return {
    type: 'doc',
    version: 1,
    content: blocks.map((block): Omit<Document, 'version'> => {
      if (typeof block === 'string') return paragraph(block);
      if ('bullets' in block) return { type: 'bulletList', content: block.bullets.map((item) => ({ type: 'listItem', content: [paragraph(item)] })) };
      return { type: 'paragraph', content: [{ type: 'text', text: block.text, marks: [{ type: 'link', attrs: { href: block.link } }] }] };
    }),
  } as Document;
}

/** The last line of a comment Vigil adds: names the delivery, so a retry can tell the comment is already there. */
export const commentMarker = (deliveryKey: string): string => `vigil:${deliveryKey}`;
/** Comments read per page when looking for a marker (Jira may answer fewer; paging follows what it answered). */
const COMMENTS_PAGE_SIZE = 100;

/** The text of an ADF node's last paragraph (where the marker is). */
function lastParagraphText(doc: unknown): string | undefined {
  const content = (doc as { content?: unknown[] } | undefined)?.content;
  const last = Array.isArray(content) ? (content[content.length - 1] as { type?: string; content?: { text?: unknown }[] } | undefined) : undefined;
  if (last?.type !== 'paragraph') return undefined;
  return (last.content ?? []).map((node) => (typeof node.text === 'string' ? node.text : '')).join('');
}

/**
 * Jira Cloud through `jira.js` (Version3Client, REST v3, basic auth email:token): one issue per investigation,
 * found again by its label before another is created, comments, and the transition to done.
 */
export class JiraTracker {
  readonly client: Version3Client;

  constructor(private readonly options: JiraOptions) {
    if (!/^https?:\/\//.test(options.host)) throw new TypeError(`JIRA_HOST must be an http(s) URL: ${options.host}`);
    this.client = new Version3Client({
      host: options.host,
      authentication: { basic: { email: options.email, apiToken: options.apiToken } },
      baseRequestConfig: { timeout: options.timeoutMs ?? 10_000 },
    });
  }

  /** The issue carrying `label` in the project, if any (idempotent creation: a retried create finds the first). */
  async findByLabel(label: string): Promise<string | undefined> {
    const result = await this.call('search', () =>
      this.client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: `project = "${this.options.projectKey}" AND labels = "${label}"`, fields: ['summary'], maxResults: 1 }),
    );
    return result.issues?.[0]?.key;
  }

  async createIssue(issue: { summary: string; description: readonly JiraText[]; labels: readonly string[] }): Promise<string> {
    const created = await this.call('create issue', () =>
      this.client.issues.createIssue({
        fields: {
          project: { key: this.options.projectKey },
          issuetype: { name: this.options.issueType ?? 'Task' },
          summary: issue.summary.slice(0, 255),
          description: adf(issue.description),
          labels: [...issue.labels],
        },
      }),
    );
    if (!created.key) throw new JiraError('Jira created an issue without a key', false);
    return created.key;
  }

  /** Adds a comment; with `marker`, the comment ends with that line so findComment can find it again. */
  async comment(issueKey: string, body: readonly JiraText[], marker?: string): Promise<string> {
    const comment = await this.call('comment', () => this.client.issueComments.addComment({ issueIdOrKey: issueKey, comment: adf(marker ? [...body, marker] : body) }));
    return comment.id ?? issueKey;
  }

  /**
   * The id of the issue's comment ending with `marker`, if any. Jira has no idempotency key for comments, so a retried
   * comment looks first: GET /rest/api/3/issue/{key}/comment, newest first (`orderBy=-created`), paged by `startAt`.
   */
  async findComment(issueKey: string, marker: string): Promise<string | undefined> {
    for (let startAt = 0; ; ) {
      const page = await this.call('comments', () => this.client.issueComments.getComments({ issueIdOrKey: issueKey, startAt, maxResults: COMMENTS_PAGE_SIZE, orderBy: '-created' }));
      const comments = page.comments ?? [];
      const found = comments.find((c) => lastParagraphText(c.body) === marker);
      if (found) return found.id ?? issueKey;
      startAt += comments.length;
      if (comments.length === 0 || startAt >= (page.total ?? 0)) return undefined;
    }
  }

  /** Comments once per `deliveryKey`: when `lookFirst` (a retry), an existing comment with its marker is reused. */
  async commentOnce(issueKey: string, body: readonly JiraText[], deliveryKey: string, lookFirst: boolean): Promise<{ readonly id: string; readonly found: boolean }> {
    const marker = commentMarker(deliveryKey);
    const existing = lookFirst ? await this.findComment(issueKey, marker) : undefined;
    if (existing) return { id: existing, found: true };
    return { id: await this.comment(issueKey, body, marker), found: false };
  }

  /** Moves the issue to done; false when it already is there. */
  async transitionToDone(issueKey: string): Promise<boolean> {
    const issue = await this.call('get issue', () => this.client.issues.getIssue({ issueIdOrKey: issueKey, fields: ['status'] }));
    if (issue.fields?.status?.statusCategory?.key === 'done') return false;
    const { transitions = [] } = await this.call('transitions', () => this.client.issues.getTransitions({ issueIdOrKey: issueKey }));
    const wanted = this.options.doneTransition?.toLowerCase();
    const transition = wanted ? transitions.find((t) => t.name?.toLowerCase() === wanted) : transitions.find((t) => t.to?.statusCategory?.key === 'done');
    if (!transition?.id) throw new JiraError(`no transition to done on ${issueKey} (${transitions.map((t) => t.name).join(', ') || 'none available'})`, false);
    await this.call('transition', () => this.client.issues.doTransition({ issueIdOrKey: issueKey, transition: { id: transition.id } }));
    return true;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const e = error as { status?: number; message?: string; response?: unknown; cause?: { response?: { headers?: Record<string, string> }; code?: string } };
      const status = typeof e.status === 'number' ? e.status : undefined;
      const detail = typeof e.response === 'object' && e.response ? JSON.stringify(e.response).slice(0, 300) : (e.message ?? String(error));
      if (status === 429) {
        const seconds = Number(e.cause?.response?.headers?.['retry-after']);
        throw new JiraError(`Jira ${what}: rate limited (429)`, true, 429, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000);
      }
      const network = !e.cause?.response && e.cause !== undefined;
      throw new JiraError(`Jira ${what} failed${status ? ` (${status})` : ''}: ${detail}`, network || status === undefined || status >= 500 || status === 408, status);
    }
  }
}
