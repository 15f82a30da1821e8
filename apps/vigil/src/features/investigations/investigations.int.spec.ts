import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { FindingRecorded, InvestigationConcluded } from '@vigil/domain/investigation';
import { RemediationProposed, RiskAssessed } from '@vigil/domain/remediation';
import { ExecutorRegistry } from '@vigil/executors';
import { ArgoCdContractServer, createArgoCdExecutor } from '@vigil/integrations/argocd';
import { BadDeployStory, insertBadDeployStory } from '@vigil/investigation-store';
import { ClickHouseMigrator } from '@vigil/telemetry';
import { startClickHouse, waitFor, type ClickHouseHandle } from '@vigil/testing';
import { startTestVigil, TestVigil } from '../../../../../test/support/start-test-vigil';
import { blastRadiusRiskAssessor } from './blast-radius-risk-assessor';
import { GetInvestigationQuery } from './usecases/get-investigation/get-investigation.query';
import { Investigations } from './investigations';
import { RunInvestigationUseCase } from './usecases/run-investigation/run-investigation.usecase';
import { investigatorProposalId } from './usecases/run-investigation/run-investigation.usecase';

jest.setTimeout(180_000);

describe('investigation worker end to end (Postgres, Redis, chDB)', () => {
  let vigil: TestVigil;
  let clickhouse: ClickHouseHandle;
  let investigations: Investigations;
  let story: BadDeployStory;
  let argocd: ArgoCdContractServer;
  const database = `vigil_invw_${randomBytes(4).toString('hex')}`;

  const streamOf = async (streamId: string) => vigil.runtime.store.readStream(streamId);
  const detect = async (service: string, window: BadDeployStory['window']) => {
    const anomalyId = randomUUID();
    await vigil.runtime.bus.send('anomaly', anomalyId, {
      type: 'DetectAnomaly',
      data: { anomalyId, service, operation: 'POST /charge', signal: 'error_rate', expected: 0, actual: 0.7, score: 40, severity: 'error', window },
      metadata: { now: new Date().toISOString(), actor: 'system:detector' },
    });
    return anomalyId;
  };
  /** The investigation the saga opened for the anomaly. */
  const openedFor = (anomalyId: string) =>
    waitFor(
      async () => {
        const { rows } = await vigil.runtime.pool.query<{ id: string; event_id: string }>(
          `SELECT data->>'investigationId' AS id, event_id FROM events WHERE type = 'InvestigationOpened' AND data->'anomalyIds' ? $1`,
          [anomalyId],
        );
        return rows[0];
      },
      { what: `the investigation of anomaly ${anomalyId}`, timeoutMs: 30_000 },
    );

  beforeAll(async () => {
    // The app's own investigator is off: this spec drives the worker with a ClickHouse database of its own.
    vigil = await startTestVigil({}, { investigations: false });
    clickhouse = await startClickHouse();
    await new ClickHouseMigrator(clickhouse.client, { database }).migrate();
    story = await insertBadDeployStory(clickhouse.client, database);
    argocd = await ArgoCdContractServer.start();
    argocd.addApplication({ name: 'payments', revisions: ['v1', 'v2'] });
  });
  afterAll(async () => {
    await investigations?.stop();
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse?.stop();
    await vigil?.stop();
    await argocd?.close();
  });

  it('without a telemetry store, concludes that nothing was investigated and proposes nothing', async () => {
    const anomalyId = await detect('inventory', story.window);
    const opened = await openedFor(anomalyId);
    const run = await new RunInvestigationUseCase({ bus: vigil.runtime.bus }).execute({ investigationId: opened.id, openedEventId: opened.event_id });
    expect(run).toEqual({ kind: 'concluded', findings: 0 });
    const concluded = (await streamOf(`investigation-${opened.id}`)).find((event) => event.type === 'InvestigationConcluded')!.data as InvestigationConcluded['data'];
    expect(concluded.hypotheses).toEqual([{ rank: 1, summary: 'No telemetry store configured: the error_rate anomaly on inventory was not investigated', confidence: 0 }]);
    expect(await streamOf(`proposal-${investigatorProposalId(opened.id)}`)).toEqual([]);
  });

  it('when the last try fails, concludes with the reason instead of leaving the investigation open', async () => {
    const anomalyId = await detect('ledger', story.window);
    const opened = await openedFor(anomalyId);
    await new RunInvestigationUseCase({ bus: vigil.runtime.bus }).giveUp({ investigationId: opened.id, openedEventId: opened.event_id }, new Error('ClickHouse is unreachable'));
    const concluded = (await streamOf(`investigation-${opened.id}`)).find((event) => event.type === 'InvestigationConcluded')!.data as InvestigationConcluded['data'];
    expect(concluded.hypotheses).toEqual([{ rank: 1, summary: 'The investigation could not gather its evidence: ClickHouse is unreachable', confidence: 0 }]);
  });

  it('on a bad deploy, records BubbleUp and deployment findings, concludes, and proposes an ArgoCD rollback with its blast radius and ArgoCD dry run, assessed high (medium by policy, raised by a third of the traffic in prod)', async () => {
    investigations = new Investigations(
      {
        dataSource: vigil.runtime.dataSource, store: vigil.runtime.store, bus: vigil.runtime.bus, redis: vigil.runtime.redis!, logger: pino({ level: 'silent' }),
        clickhouse: { client: clickhouse.client, database },
        executors: new ExecutorRegistry([createArgoCdExecutor({ baseUrl: argocd.url, token: argocd.token })]),
      },
      { queue: { prefix: vigil.runtime.config.VIGIL_QUEUE_PREFIX } },
    );
    investigations.start();

    const anomalyId = await detect('payments', story.window);
    const opened = await openedFor(anomalyId);
    const proposalId = investigatorProposalId(opened.id);
    const assessed = await waitFor(async () => (await streamOf(`proposal-${proposalId}`)).find((event) => event.type === 'RiskAssessed'), {
      what: 'the risk assessment of the investigator\'s proposal',
      timeoutMs: 60_000,
    });

    const investigation = await streamOf(`investigation-${opened.id}`);
    const findings = investigation.filter((event) => event.type === 'FindingRecorded').map((event) => event.data as FindingRecorded['data']);
    expect(findings.every((finding) => finding.recordedBy === 'ai:investigator')).toBe(true);
    const bubbleUp = findings.find((finding) => finding.kind === 'bubbleup')!;
    expect(bubbleUp).toMatchObject({ findingId: 'bubbleup:payments:app.version=v2', evidence: { attribute: 'app.version', value: 'v2', anomalousShare: 1, baselineShare: 0 } });
    const deployment = findings.find((finding) => finding.kind === 'deployment')!;
    expect(deployment).toMatchObject({ findingId: 'deployment:payments:v2', evidence: { service: 'payments', revision: 'v2', previousRevision: 'v1', changeId: story.changeId } });

    const concluded = investigation.find((event) => event.type === 'InvestigationConcluded')!.data as InvestigationConcluded['data'];
    expect(concluded.hypotheses[0]).toMatchObject({ rank: 1, suggestedAction: { kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 'v1' } } });
    expect(concluded.hypotheses[0].summary).toMatch(/v2/);

    const proposed = (await streamOf(`proposal-${proposalId}`))[0].data as RemediationProposed['data'];
    expect(proposed).toMatchObject({
      proposer: 'ai:investigator',
      investigationId: opened.id,
      anomalyId,
      action: { kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 'v1' } },
      riskContext: { service: 'payments', environment: 'prod', replicas: 3, trafficShare: 0.333, dependents: ['checkout', 'frontend'] },
    });
    expect(proposed.dryRun).toMatchObject({ ok: true, summary: expect.stringContaining('v1') });
    expect(argocd.rollbackRequests()).toEqual([]);
    expect(proposed.rationale).toContain(`investigation ${opened.id}`);
    expect(proposed.rationale).toContain('deployment:payments:v2');
    expect(assessed.data as RiskAssessed['data']).toMatchObject({ tier: 'high', dryRun: proposed.dryRun, blastRadius: { service: 'payments', trafficShare: 0.333, dependents: 2 } });

    const view = await new GetInvestigationQuery(vigil.runtime.bus).execute(opened.id);
    expect(view).toMatchObject({ status: 'concluded', anomalyIds: [anomalyId], hypotheses: concluded.hypotheses, proposal: { status: 'Assessed', assessment: { tier: 'high' } } });
    expect(view!.findings.map((finding) => finding.findingId)).toEqual(findings.map((finding) => finding.findingId));

    // The app's saga composes the blast radius (a third of the traffic, in prod): one tier above the policy's medium.
    const withBlastRadius = blastRadiusRiskAssessor()(proposed.action, vigil.runtime.policy, { now: proposed.at, riskContext: proposed.riskContext });
    expect(withBlastRadius.tier).toBe('high');
    expect(withBlastRadius.blastRadius).toMatchObject({ service: 'payments', trafficShare: 0.333, dependents: 2 });
  });

  it('running the same investigation again (a retried job, a replay after a crash) appends nothing', async () => {
    const { rows } = await vigil.runtime.pool.query<{ id: string; event_id: string }>(
      `SELECT data->>'investigationId' AS id, event_id FROM events WHERE type = 'InvestigationOpened' ORDER BY global_position DESC LIMIT 1`,
    );
    const [opened] = rows;
    const count = async () => (await vigil.runtime.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE stream_id IN ($1, $2)`, [`investigation-${opened.id}`, `proposal-${investigatorProposalId(opened.id)}`])).rows[0].n;
    const before = await count();
    const run = await investigations.investigator.execute({ investigationId: opened.id, openedEventId: opened.event_id });
    await investigations.queue.enqueue({ investigationId: opened.id, openedEventId: opened.event_id });
    expect(run).toMatchObject({ kind: 'concluded', proposalId: investigatorProposalId(opened.id) });
    expect(await count()).toBe(before);
  });
});
