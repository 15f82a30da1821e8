import { commentMarker, JiraError, JiraTracker } from './jira-tracker';
import { adfText, JiraContractServer } from './testing';

describe('Jira Cloud REST v3 through jira.js', () => {
  let jira: JiraContractServer;
  let tracker: JiraTracker;
  beforeAll(async () => {
    jira = await JiraContractServer.start();
    tracker = new JiraTracker({ host: jira.url, email: jira.email, apiToken: jira.apiToken, projectKey: jira.projectKey });
  });
  afterAll(() => jira?.close());

  it('creates an issue with an ADF description and labels, finds it again by label, comments and transitions it to done once', async () => {
    expect(await tracker.findByLabel('vigil-investigation-1')).toBeUndefined();
    const key = await tracker.createIssue({ summary: '[Vigil] error_rate on payments', description: ['Opened by Vigil', { bullets: ['expected 0.01, saw 0.3'] }, { link: 'https://vigil.example.com/incidents/1', text: 'timeline' }], labels: ['vigil', 'vigil-investigation-1'] });
    expect(key).toBe('OPS-1');
    expect(await tracker.findByLabel('vigil-investigation-1')).toBe('OPS-1');
    expect(adfText(jira.issues.get(key)!.fields.description)).toContain('expected 0.01, saw 0.3');
    await tracker.comment(key, ['Proposal approved by lee.']);
    expect(adfText(jira.issues.get(key)!.comments[0].body)).toBe('Proposal approved by lee.');
    await expect(tracker.transitionToDone(key)).resolves.toBe(true);
    await expect(tracker.transitionToDone(key)).resolves.toBe(false);
    expect(jira.issues.get(key)!.transitions).toEqual(['Done']);
    const create = jira.requests.find((r) => r.path === '/rest/api/3/issue' && r.method === 'POST')!;
    expect(create.headers.authorization).toBe(`Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`);
  });

  it('reports bad credentials and invalid fields as final, 429 and 5xx as retryable', async () => {
    const wrong = new JiraTracker({ host: jira.url, email: jira.email, apiToken: 'wrong', projectKey: jira.projectKey });
    await expect(wrong.comment('OPS-1', ['x'])).rejects.toMatchObject({ retryable: false, status: 401 });
    const otherProject = new JiraTracker({ host: jira.url, email: jira.email, apiToken: jira.apiToken, projectKey: 'NOPE' });
    await expect(otherProject.createIssue({ summary: 's', description: [], labels: [] })).rejects.toMatchObject({ retryable: false, status: 400 });
    jira.failNext({ pathIncludes: '/comment', status: 429, retryAfterSeconds: 3 });
    const limited = await tracker.comment('OPS-1', ['x']).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(JiraError);
    expect(limited).toMatchObject({ retryable: true, status: 429, retryAfterMs: 3000 });
    jira.failNext({ pathIncludes: '/comment', status: 502 });
    await expect(tracker.comment('OPS-1', ['x'])).rejects.toMatchObject({ retryable: true, status: 502 });
  });

  describe('a retry after Jira took the call but its answer was lost', () => {
    it('finds the issue a lost create made by its label instead of creating a second', async () => {
      jira.loseAnswerNext({ method: 'POST', pathIncludes: '/rest/api/3/issue' });
      const lost = await tracker.createIssue({ summary: 'lost answer', description: [], labels: ['vigil', 'vigil-investigation-lost'] }).catch((error: unknown) => error);
      expect(lost).toMatchObject({ retryable: true });
      expect(await tracker.findByLabel('vigil-investigation-lost')).toBe(jira.issueWithLabel('vigil-investigation-lost')!.key);
      expect([...jira.issues.values()].filter((i) => i.fields.labels.includes('vigil-investigation-lost'))).toHaveLength(1);
    });

    it('ends each comment with its delivery marker and does not add it again when a retry finds it', async () => {
      const key = await tracker.createIssue({ summary: 'comments', description: [], labels: ['vigil-investigation-comments'] });
      jira.loseAnswerNext({ method: 'POST', pathIncludes: '/comment' });
      await expect(tracker.commentOnce(key, ['Proposal approved by lee.'], 'jira.comment:e1', false)).rejects.toMatchObject({ retryable: true });
      const retried = await tracker.commentOnce(key, ['Proposal approved by lee.'], 'jira.comment:e1', true);
      const comments = jira.issues.get(key)!.comments;
      expect(comments).toHaveLength(1);
      expect(retried).toEqual({ id: comments[0].id, found: true });
      expect(adfText(comments[0].body)).toBe(`Proposal approved by lee.\n${commentMarker('jira.comment:e1')}`);
    });

    it('pages through the comments newest first and adds the comment when no marker matches', async () => {
      const key = await tracker.createIssue({ summary: 'many comments', description: [], labels: ['vigil-investigation-many'] });
      await tracker.comment(key, ['the first'], commentMarker('jira.comment:first'));
      for (let i = 0; i < 120; i++) await tracker.comment(key, [`noise ${i}`], commentMarker(`jira.comment:noise-${i}`));
      expect(await tracker.findComment(key, commentMarker('jira.comment:first'))).toBe(jira.issues.get(key)!.comments[0].id);
      const reads = jira.requests.filter((r) => r.method === 'GET' && r.path === `/rest/api/3/issue/${key}/comment`);
      expect(reads).toHaveLength(2);
      // A marker quoted inside another comment's text is not a match: only a comment's last line counts.
      await tracker.comment(key, [`see ${commentMarker('jira.comment:quoted')} above`]);
      const added = await tracker.commentOnce(key, ['quoted'], 'jira.comment:quoted', true);
      expect(added.found).toBe(false);
      expect(jira.issues.get(key)!.comments).toHaveLength(123);
    });

    it('answers comment listings as Jira does: 401 without credentials, 404 for an unknown issue, 400 for a bad orderBy', async () => {
      const url = (path: string) => `${jira.url}${path}`;
      const auth = { authorization: `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}` };
      expect((await fetch(url('/rest/api/3/issue/OPS-1/comment'))).status).toBe(401);
      expect((await fetch(url('/rest/api/3/issue/OPS-999/comment'), { headers: auth })).status).toBe(404);
      expect((await fetch(url('/rest/api/3/issue/OPS-1/comment?orderBy=author'), { headers: auth })).status).toBe(400);
      const page = (await (await fetch(url('/rest/api/3/issue/OPS-1/comment?startAt=0&maxResults=1'), { headers: auth })).json()) as { startAt: number; maxResults: number; total: number; comments: unknown[] };
      expect(page).toMatchObject({ startAt: 0, maxResults: 1, total: jira.issues.get('OPS-1')!.comments.length });
      expect(page.comments).toHaveLength(1);
    });
  });
});
