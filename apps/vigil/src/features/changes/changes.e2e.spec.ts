import { createHmac } from 'node:crypto';
import { startTestVigil, TestVigil } from '../../../../../test/support/start-test-vigil';

const TOKEN = 'change-webhook-token-0123456789';
const GITHUB_SECRET = 'github-webhook-secret';

describe('change webhooks (generic, ArgoCD, GitHub) → DeploymentObserved + ClickHouse changes', () => {
  let vigil: TestVigil;
  beforeAll(async () => {
    vigil = await startTestVigil({ CHANGES_WEBHOOK_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET }, { clickhouse: true });
  });
  afterAll(async () => vigil?.stop());

  const auth = { authorization: `Bearer ${TOKEN}` };
  const rowsFor = async (changeId: string) => {
    const result = await vigil.runtime.clickhouse!.query({
      query: `SELECT ServiceName, Environment, Revision, PreviousRevision, Source, toString(Timestamp) AS at FROM \`${vigil.runtime.config.CLICKHOUSE_DATABASE}\`.changes FINAL WHERE ChangeId = {id:String}`,
      query_params: { id: changeId },
      format: 'JSONEachRow',
    });
    return result.json<Record<string, string>>();
  };
  const eventsOf = async (id: string) => (await vigil.runtime.store.readStream(`change-${id}`)).map((event) => event.type);

  it('records a generic change once, however often it is redelivered', async () => {
    const body = { id: 'deploy-42', service: 'checkout', environment: 'production', revision: 'v2.3.1', previousRevision: 'v2.3.0', source: 'spinnaker', at: '2026-11-21T10:00:00Z' };
    const first = await vigil.request('POST', '/webhooks/changes', { body, headers: auth });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ changeId: 'deploy-42', created: true, stored: true });
    const again = await vigil.request('POST', '/webhooks/changes', { body, headers: auth });
    expect(again.body).toMatchObject({ changeId: 'deploy-42', created: false });
    expect(await eventsOf(first.body.id)).toEqual(['DeploymentObserved']);
    expect(await rowsFor('deploy-42')).toEqual([
      { ServiceName: 'checkout', Environment: 'production', Revision: 'v2.3.1', PreviousRevision: 'v2.3.0', Source: 'spinnaker', at: '2026-11-21 10:00:00.000' },
    ]);
  });

  it('refuses a change webhook without the token, and says which field is wrong in a bad one', async () => {
    const unauthenticated = await vigil.request('POST', '/webhooks/changes', { body: { service: 'a', revision: 'b', at: '2026-11-21T10:00:00Z' } });
    expect(unauthenticated).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });
    const invalid = await vigil.request('POST', '/webhooks/changes', { body: { service: 'checkout', at: 'not a time' }, headers: auth });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toMatch(/revision/);
  });

  it('records an ArgoCD sync that succeeded, with the previous revision from its history, and ignores a failed one', async () => {
    const app = (phase: string) => ({
      app: {
        metadata: { name: 'payments-prod', namespace: 'argocd', annotations: { 'vigil.io/service': 'payment' }, labels: { environment: 'production' } },
        status: {
          sync: { revision: 'c0ffee1' },
          operationState: { phase, finishedAt: '2026-11-21T11:00:00Z', syncResult: { revision: 'c0ffee1' } },
          history: [{ id: 6, revision: 'beef000', deployedAt: '2026-11-20T09:00:00Z' }, { id: 7, revision: 'c0ffee1', deployedAt: '2026-11-21T11:00:00Z' }],
        },
      },
    });
    const failed = await vigil.request('POST', '/webhooks/argocd', { body: app('Failed'), headers: auth });
    expect(failed).toMatchObject({ status: 202, body: { ignored: 'sync phase Failed' } });
    const synced = await vigil.request('POST', '/webhooks/argocd', { body: app('Succeeded'), headers: auth });
    expect(synced.status).toBe(202);
    const [row] = await rowsFor(synced.body.changeId);
    expect(row).toMatchObject({ ServiceName: 'payment', Environment: 'production', Revision: 'c0ffee1', PreviousRevision: 'beef000', Source: 'argocd' });
  });

  it('records a successful GitHub deployment_status only when X-Hub-Signature-256 matches', async () => {
    const payload = {
      deployment_status: { id: 991, state: 'success', environment: 'production', created_at: '2026-11-21T12:00:00Z', target_url: 'https://github.com/acme/inventory/actions/runs/1' },
      deployment: { id: 555, sha: '1234567890abcdef', ref: 'main', environment: 'production', payload: { service: 'inventory' } },
      repository: { name: 'inventory', full_name: 'acme/inventory' },
    };
    const raw = JSON.stringify(payload);
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    const post = (signature: string, event = 'deployment_status') =>
      fetch(`${vigil.base}/webhooks/github`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': signature } });

    const forged = await post(sign('not-the-secret'));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'WEBHOOK.BAD_SIGNATURE' });

    const accepted = await post(sign(GITHUB_SECRET));
    expect(accepted.status).toBe(202);
    const body = (await accepted.json()) as { changeId: string; id: string };
    expect(body.changeId).toBe('github:acme/inventory:deployment:555');
    expect(await eventsOf(body.id)).toEqual(['DeploymentObserved']);
    expect(await rowsFor(body.changeId)).toEqual([expect.objectContaining({ ServiceName: 'inventory', Revision: '1234567890abcdef', Source: 'github' })]);

    const ping = await post(sign(GITHUB_SECRET), 'ping');
    expect(await ping.json()).toEqual({ pong: true });
  });
});
