import { JiraError, JiraTracker } from './jira-tracker';
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
});
