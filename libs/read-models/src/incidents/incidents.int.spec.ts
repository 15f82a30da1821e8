import { DataSource } from 'typeorm';
import { PostgresFixture } from '../../../event-store/src/postgres/postgres-fixture';
import { ProjectionRunner } from '../projection-runner/projection-runner';
import { readModelChecksum, rebuildProjection } from '../projection-runner/rebuild-projection';
import { incidentsProjection } from './incidents.projection';
import { anomaliesOf, incidentTimeline, listIncidents } from './incidents.queries';
import { Ids, Story, actionHash, applyAllDirectly, catchUpUntil, ids, isoAt, mediumTier, rollback, upToPendingApproval, closeProjectionWorld, openProjectionWorld } from './spec-fixtures';

describe('incidents projection', () => {
  let fx: PostgresFixture;
  let dataSource: DataSource;
  let story: Story;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    ({ fx, dataSource, story, runner } = await openProjectionWorld(incidentsProjection, 5));
  });
  afterEach(() => closeProjectionWorld({ fx, dataSource, runner }));

  const timeline = (anomalyId: string) => incidentTimeline(dataSource.manager, anomalyId);
  const until = (what: string, check: () => Promise<boolean>) => catchUpUntil(runner, fx.store, check, what);

  /** The whole story of one incident, as the saga and the workers would drive it. */
  async function wholeIncident(id: Ids) {
    await upToPendingApproval(story, id);
    const ballot = { approvalId: id.approvalId, proposalVersion: 1, actionHash: actionHash(rollback, 1) };
    await story.at(5).approval('CastVote', { ...ballot, roles: ['sre'], decision: 'approve' }, 'sam'); // refused: medium needs a team lead
    await story.at(5).escalation('StartEscalation', { escalationId: id.escalationId, approvalId: id.approvalId, levels: mediumTier.escalation }, 'system:saga');
    await story.at(6).approval('CastVote', { ...ballot, roles: ['team-lead'], decision: 'approve' }, 'tina');
    await story.at(6).escalation('StopEscalation', { escalationId: id.escalationId, why: 'granted' }, 'system:saga');
    await story.at(7).execution(
      'RequestExecution',
      { executionId: id.executionId, proposalId: id.proposalId, approvalId: id.approvalId, action: rollback, actionHash: actionHash(rollback, 1), idempotencyKey: id.executionId, maxAttempts: 2 },
      'system:saga',
    );
    await story.at(7).execution('StartExecution', { executionId: id.executionId, leaseOwner: 'worker-a', leaseMs: 60_000 }, 'system:worker');
    await story.at(7.5).execution('RenewLease', { executionId: id.executionId, attempt: 1, leaseOwner: 'worker-a', leaseMs: 60_000 }, 'system:worker');
    await story.at(8).execution('RecordExecutionSuccess', { executionId: id.executionId, attempt: 1, leaseOwner: 'worker-a', result: { previousRevision: 42 } }, 'system:worker');
    await story.at(18).execution('VerifyExecution', { executionId: id.executionId, recovered: true }, 'system:verifier');
    await story.at(19).anomaly('ResolveAnomaly', { anomalyId: id.anomalyId, how: 'remediated' }, 'system:saga');
  }

  it('marks an anomaly grouped into another\'s incident with its lead, and the lead with none, from the investigations\' conclusions', async () => {
    const lead = ids();
    const member = ids();
    for (const id of [lead, member]) {
      await story.at(0).anomaly('DetectAnomaly', {
        anomalyId: id.anomalyId, service: id === lead ? 'payments' : 'checkout', operation: 'POST /pay', signal: 'error_rate',
        expected: 0, actual: 0.3, score: 9, severity: 'error', window: { start: isoAt(-1), end: isoAt(0) }, source: 'detector',
      }, 'system:detector');
      await story.at(1).investigation('OpenInvestigation', { investigationId: id.investigationId, anomalyIds: [id.anomalyId] }, 'system:saga');
    }
    const incident = { leadAnomalyId: lead.anomalyId, anomalyIds: [member.anomalyId, lead.anomalyId] };
    await story.at(2).investigation('ConcludeInvestigation', { investigationId: member.investigationId, hypotheses: [{ summary: 'part of the payments incident', confidence: 0 }], incident }, 'ai:investigator');
    await story.at(2).investigation('ConcludeInvestigation', { investigationId: lead.investigationId, hypotheses: [{ summary: 'payments deploy', confidence: 0.9 }], incident }, 'ai:investigator');
    await until('both conclusions', async () => (await timeline(lead.anomalyId))?.incident?.latestKind === 'investigation' && (await timeline(member.anomalyId))?.entries.length === 3);

    expect((await timeline(member.anomalyId))!.incident).toMatchObject({ anomalyId: member.anomalyId, leadAnomalyId: lead.anomalyId });
    expect((await timeline(lead.anomalyId))!.incident).toMatchObject({ anomalyId: lead.anomalyId, leadAnomalyId: null });
    expect((await timeline(lead.anomalyId))!.grouped.map((row) => row.anomalyId)).toEqual([member.anomalyId]);
    expect((await timeline(member.anomalyId))!.grouped).toEqual([]);
    const listed = await listIncidents(dataSource.manager);
    expect(listed.find((row) => row.anomalyId === member.anomalyId)?.leadAnomalyId).toBe(lead.anomalyId);
  });

  it('lists anomaly → investigation → finding → proposal → approval → vote → escalation → execution → verification in order', async () => {
    const id = ids();
    await wholeIncident(id);
    await until('the resolution', async () => (await timeline(id.anomalyId))?.incident?.status === 'resolved');

    const { incident, entries } = (await timeline(id.anomalyId))!;
    expect(entries.map((e) => [e.kind, e.type])).toEqual([
      ['anomaly', 'AnomalyDetected'],
      ['investigation', 'InvestigationOpened'],
      ['finding', 'FindingRecorded'],
      ['proposal', 'RemediationProposed'],
      ['risk', 'RiskAssessed'],
      ['approval', 'ApprovalRequested'],
      ['vote', 'VoteRefused'],
      ['escalation', 'EscalationStarted'],
      ['escalation', 'EscalationLevelReached'],
      ['vote', 'VoteCast'],
      ['approval', 'ApprovalGranted'],
      ['escalation', 'EscalationStopped'],
      ['execution', 'ExecutionRequested'],
      ['execution', 'ExecutionStarted'],
      ['execution', 'ExecutionSucceeded'],
      ['verification', 'ExecutionVerified'],
      ['anomaly', 'AnomalyResolved'],
    ]);
    const firsts = [...new Set(entries.map((e) => e.kind))];
    expect(firsts).toEqual(['anomaly', 'investigation', 'finding', 'proposal', 'risk', 'approval', 'vote', 'escalation', 'execution', 'verification']);
    // log order: positions strictly increase
    const positions = entries.map((e) => e.position.split(':').map(BigInt));
    positions.slice(1).forEach(([c, p], i) => expect(c > positions[i][0] || (c === positions[i][0] && p > positions[i][1])).toBe(true));

    expect(entries[0]).toMatchObject({
      at: isoAt(0),
      entityType: 'anomaly',
      entityId: id.anomalyId,
      actor: 'system:detector',
      summary: 'error anomaly on payments-api POST /pay: latency_p99 at 870 (expected 120) from detector',
    });
    expect(entries[2]).toMatchObject({ entityType: 'investigation', entityId: id.investigationId, summary: 'deployment finding (score 0.9): payments-api r42 rolled out 3 minutes before the latency rise' });
    expect(entries[2].detail).toMatchObject({ findingId: `${id.investigationId}-f1`, evidence: { revision: 42, previousRevision: 41 } });
    expect(entries[6]).toMatchObject({ entityType: 'approval', entityId: id.approvalId, actor: 'sam' });
    expect(entries[7]).toMatchObject({ entityType: 'escalation', entityId: id.escalationId });
    expect(entries[15]).toMatchObject({ entityType: 'execution', entityId: id.executionId, at: isoAt(18), summary: 'Verified: the signal recovered' });

    expect(incident).toEqual({
      anomalyId: id.anomalyId,
      service: 'payments-api',
      operation: 'POST /pay',
      signal: 'latency_p99',
      severity: 'error',
      status: 'resolved',
      source: 'detector',
      fingerprint: null,
      occurrences: 1,
      openedAt: isoAt(0),
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: isoAt(19),
      resolvedBy: 'system:saga',
      resolution: 'remediated',
      latestKind: 'anomaly',
      latestSummary: 'Resolved (remediated) by system:saga',
      latestAt: isoAt(19),
      entryCount: entries.length,
      leadAnomalyId: null,
    });
    expect(await anomaliesOf(dataSource.manager, 'execution', id.executionId)).toEqual([id.anomalyId]);
  });

  it('puts what an investigation of two anomalies leads to on both timelines, and nothing on an unrelated one', async () => {
    const id = ids();
    const other = ids();
    const unrelated = ids();
    for (const [anomalyId, service] of [
      [other.anomalyId, 'checkout'],
      [unrelated.anomalyId, 'search'],
    ]) {
      await story.at(0).anomaly(
        'DetectAnomaly',
        { anomalyId, service, operation: 'GET /', signal: 'error_rate', expected: 0.01, actual: 0.2, score: 4, severity: 'critical', window: { start: isoAt(-5), end: isoAt(0) } },
        'system:detector',
      );
    }
    await story.at(0.5).anomaly('AcknowledgeAnomaly', { anomalyId: other.anomalyId }, 'olga');
    await upToPendingApproval(story, id); // its investigation covers id.anomalyId only…
    const shared = `${id.investigationId}-shared`;
    await story.at(10).investigation('OpenInvestigation', { investigationId: shared, anomalyIds: [other.anomalyId, id.anomalyId] }, 'olga');
    await story.at(11).proposal(
      'ProposeRemediation',
      { proposalId: `${id.proposalId}-shared`, action: { kind: 'k8s.rollout-restart', target: 'k8s:prod/payments/deployment/api', params: {} }, rationale: 'restart both', investigationId: shared },
      'olga',
    );
    await until('the shared proposal', async () => (await timeline(other.anomalyId))?.entries.length === 4);

    const mine = (await timeline(id.anomalyId))!;
    const theirs = (await timeline(other.anomalyId))!;
    expect(theirs.entries.map((e) => e.type)).toEqual(['AnomalyDetected', 'AnomalyAcknowledged', 'InvestigationOpened', 'RemediationProposed']);
    expect(mine.entries.slice(-2)).toEqual(theirs.entries.slice(-2));
    expect(theirs.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'olga', acknowledgedAt: isoAt(0.5), severity: 'critical', latestSummary: 'olga proposed k8s.rollout-restart on k8s:prod/payments/deployment/api (v1): restart both' });
    expect((await timeline(unrelated.anomalyId))!.entries.map((e) => e.type)).toEqual(['AnomalyDetected']);
    expect(await anomaliesOf(dataSource.manager, 'proposal', `${id.proposalId}-shared`)).toEqual([other.anomalyId, id.anomalyId].sort());
    expect((await listIncidents(dataSource.manager, { status: 'open' })).map((i) => i.anomalyId).sort()).toEqual([id.anomalyId, unrelated.anomalyId].sort());
    expect(await incidentTimeline(dataSource.manager, 'anom-nobody')).toBeUndefined();
  });

  it('is idempotent when a batch is applied again, and a rebuild gives the live tables byte for byte', async () => {
    const a = ids();
    const b = ids();
    await wholeIncident(a);
    await upToPendingApproval(story, b);
    await until('both incidents', async () => (await timeline(a.anomalyId))?.incident?.status === 'resolved' && (await timeline(b.anomalyId))?.entries.length === 6);
    await runner.stop();
    const live = await readModelChecksum(dataSource, incidentsProjection);
    expect(live).toMatch(/^incidents:[0-9a-f]{32} incident_timeline:[0-9a-f]{32} incident_links:[0-9a-f]{32}$/);

    await applyAllDirectly(dataSource, fx.store, incidentsProjection);
    expect(await readModelChecksum(dataSource, incidentsProjection)).toBe(live);

    await rebuildProjection(dataSource, fx.store, incidentsProjection, { batchSize: 1 });
    expect(await readModelChecksum(dataSource, incidentsProjection)).toBe(live);
    await rebuildProjection(dataSource, fx.store, incidentsProjection);
    expect(await readModelChecksum(dataSource, incidentsProjection)).toBe(live);
  });
});
