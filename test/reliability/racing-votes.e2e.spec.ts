import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '@vigil/execution-worker';
import { RedisHandle, startRedis } from '@vigil/testing';
import { eventually, mapLimit, readWholeLog, Receiver, ReliabilityVigil, startReceiver, startVigil, WEBHOOK_SECRET } from './support';

/**
 * Issue 3 item 10: "1,000 racing vote pairs → zero double executions and zero lost votes".
 * N high-tier approvals (db.failover: an sre AND a manager) are proposed through the API; then, for every
 * approval, sara's (sre) and mo's (manager) votes are fired at the same time, at most 50 requests in flight.
 * db.failover goes to a local webhook receiver, so every execution really runs and every external effect is counted.
 *
 * N is 1,000, as the issue asks. The single saga processor (one event at a time) is the bottleneck: measured 73–76 s
 * at load average ~3, 112 s at ~8; on a box busy with other work set VIGIL_RACE_APPROVALS=500 (45–92 s).
 */
const N = Number(process.env.VIGIL_RACE_APPROVALS ?? 1000);
const IN_FLIGHT = 50;

jest.setTimeout(N > 500 ? 420_000 : 115_000);

function phase(name: string, startedAt: number) {
  process.stderr.write(`[racing-votes] ${name}: ${Date.now() - startedAt} ms\n`);
}

describe(`${N} racing vote pairs${N < 1000 ? ` (the issue asks 1,000; ${N} is what fits ~90 s on a shared 2-core box)` : ''}: high tier sre + manager, ${IN_FLIGHT} requests in flight`, () => {
  let redis: RedisHandle;
  let receiver: Receiver;
  let vigil: ReliabilityVigil;

  beforeAll(async () => {
    // A private Redis: 500+ executions' worth of queue traffic stays out of the Redis the other specs share.
    redis = await startRedis({ ignoreEnv: true });
    receiver = await startReceiver();
    vigil = await startVigil({ env: { REDIS_URL: redis.url, VIGIL_WEBHOOK_URL: receiver.url, VIGIL_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterAll(async () => {
    await vigil?.drop();
    await receiver?.close();
    await redis?.stop();
  });

  async function approvalOf(proposalId: string): Promise<string> {
    return eventually(
      `the approval of proposal ${proposalId}`,
      async () => {
        const { rows } = await vigil.runtime.pool.query<{ id: string }>(`SELECT data->>'approvalId' AS id FROM events WHERE type = 'ApprovalRequested' AND data->>'proposalId' = $1`, [proposalId]);
        return rows[0]?.id;
      },
      60_000,
      100,
    );
  }

  it('grants every approval with both votes recorded, requests exactly one execution each, and calls the webhook exactly once per execution', async () => {
    const started = Date.now();
    const proposals = await mapLimit(Array.from({ length: N }, (_, i) => i), IN_FLIGHT, async (i) => {
      const response = await vigil.request('POST', '/api/proposals', {
        token: vigil.tokens.alice,
        body: { action: { kind: 'db.failover', target: `db:race-${i}`, params: { primary: `pg-${i}-a`, replica: `pg-${i}-b` } }, rationale: `race ${i}` },
      });
      expect(response.status).toBe(201);
      expect(response.body.tier).toBe('high');
      return response.body as { id: string; approvalId?: string };
    });
    phase(`${N} proposals`, started);
    // A proposal answered `assessing` (the saga slower than the API's wait) gets its approval shortly after.
    const approvalIds: string[] = [];
    for (const proposal of proposals) approvalIds.push(proposal.approvalId ?? (await approvalOf(proposal.id)));
    expect(new Set(approvalIds).size).toBe(N);
    phase('approvals known', started);

    // The race: both votes of an approval at once; 25 approvals (50 requests) in flight.
    const votes = await mapLimit(approvalIds, IN_FLIGHT / 2, (approvalId) =>
      Promise.all(
        [vigil.tokens.sara, vigil.tokens.mo].map((token) => vigil.request('POST', `/api/approvals/${approvalId}/votes`, { token, body: { decision: 'approve' } })),
      ),
    );
    phase(`${2 * N} votes`, started);
    const failed = votes.flat().filter((vote) => vote.status !== 201);
    expect(failed.slice(0, 5)).toEqual([]);
    // Exactly one vote of each pair saw the grant.
    for (const pair of votes) expect(pair.map((vote) => vote.body.status).sort()).toEqual(['granted', 'pending']);

    const succeededCount = async () => {
      const { rows } = await vigil.runtime.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'ExecutionSucceeded'`);
      return rows[0].n;
    };
    // A bound for a loaded CI box, not a speed target (the saga bench measures latency).
    await eventually(`${N} succeeded executions`, async () => (await succeededCount()) >= N, 180_000, 250);
    phase(`${N} executions succeeded`, started);
    // Anything late (a duplicate job, a re-driven lease) would show up now.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const log = await readWholeLog(vigil.runtime);
    const byType = (type: string) => log.filter((event) => event.type === type);
    const streams = new Map<string, string[]>();
    for (const event of log) streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event.type]);
    // Zero lost votes: both votes in every approval's stream, then the grant — and nothing else.
    const wrong = approvalIds
      .map((approvalId) => ({ approvalId, stream: streams.get(`approval-${approvalId}`) ?? [] }))
      .filter(({ stream }) => stream.join() !== 'ApprovalRequested,VoteCast,VoteCast,ApprovalGranted');
    expect(wrong.slice(0, 5)).toEqual([]);
    const voters = new Map<string, string[]>();
    for (const cast of byType('VoteCast')) {
      const data = cast.data as { approvalId: string; by: string };
      voters.set(data.approvalId, [...(voters.get(data.approvalId) ?? []), data.by].sort());
    }
    expect([...voters.values()].filter((by) => by.join() !== 'mo,sara')).toEqual([]);
    // Evidence that the pairs really raced: how close together the two votes of a pair reached the API (the
    // command's `now` is taken when the request is handled, before the approval is loaded).
    const arrivals = new Map<string, number[]>();
    for (const cast of byType('VoteCast')) {
      const approvalId = (cast.data as { approvalId: string }).approvalId;
      arrivals.set(approvalId, [...(arrivals.get(approvalId) ?? []), Date.parse(cast.recordedAt)]);
    }
    const gaps = [...arrivals.values()].map(([a, b]) => Math.abs(a - b)).sort((a, b) => a - b);
    phase(`vote pairs handled within 5 ms of each other: ${gaps.filter((gap) => gap <= 5).length}/${N} (median gap ${gaps[Math.floor(N / 2)]} ms)`, started);
    expect(byType('VoteRefused')).toHaveLength(0);
    expect(byType('ApprovalGranted')).toHaveLength(N);

    const requested = byType('ExecutionRequested');
    expect(requested).toHaveLength(N);
    const executionIds = requested.map((event) => (event.data as { executionId: string }).executionId);
    expect(new Set(executionIds).size).toBe(N);
    expect(new Set(requested.map((event) => (event.data as { approvalId: string }).approvalId))).toEqual(new Set(approvalIds));
    expect(byType('ExecutionStarted')).toHaveLength(N);
    expect(byType('ExecutionSucceeded')).toHaveLength(N);

    // The external effect: one signed POST per execution, none twice.
    expect(receiver.arrivals).toHaveLength(N);
    const posted = receiver.arrivals.map((arrival) => arrival.body.executionId as string);
    expect(new Set(posted)).toEqual(new Set(executionIds));
    const unsigned = receiver.arrivals.filter(
      (arrival) => !verifyWebhookSignature(WEBHOOK_SECRET, arrival.headers[WEBHOOK_TIMESTAMP_HEADER] as string, arrival.raw, arrival.headers[WEBHOOK_SIGNATURE_HEADER] as string),
    );
    expect(unsigned).toHaveLength(0);
    phase('checked', started);
  });
});
