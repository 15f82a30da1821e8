import Redis from 'ioredis';
import { DEFAULT_APPROVAL_POLICY } from '@vigil/domain/approval';
import { verifyWebhookSignature } from '@vigil/notifications';
import { RedisHandle, startRedis } from '@vigil/testing';
import { Receiver, ReliabilityVigil, eventually, mapLimit, startReceiver, startVigil, WEBHOOK_SECRET, writePolicyFile } from './support';

/**
 * Issue 3 item 10: "Redis flushed and restarted while 50 approvals are pending → every escalation still fires on
 * time (±5 s)". The real app, with its own Redis, a policy whose medium tier times out after TIMEOUT_S and pages
 * on `log` + `webhook` (a local receiver that timestamps arrivals), 50 proposals → 50 pending approvals, each with
 * its level-0 deadline timer in Redis. Then FLUSHALL and a kill -9 / empty restart of Redis, and the level-1 page
 * of every approval must reach the receiver within ±5 s of the approval's deadline:
 *  1. with the process restarted too (a new app on the same database: start-up reconciliation);
 *  2. with the app left running (only the reconciler's periodic pass can notice).
 * The second is what catches a running server that re-arms lost timers too late. Its periodic pass (default every
 * 5 s) is set to 10 minutes here, so only the re-arming on Redis reconnecting can keep these pages on time.
 */
const APPROVALS = 50;
/**
 * Long enough that creating 50 proposals, arming their timers and losing Redis all happen before the first deadline
 * even on a loaded CI box (a clean-clone run where this overlapped other specs needed > 15 s for the set-up): a
 * deadline that passes while Redis is down pages when it is back, which measures the outage, not the re-arming.
 */
const TIMEOUT_S = 30;
const TOLERANCE_MS = 5000;
/** Redis is lost and back at least this long before the soonest deadline. */
const LOSS_MARGIN_MS = 10_000;

jest.setTimeout(150_000);

const policy = {
  ...DEFAULT_APPROVAL_POLICY,
  tiers: {
    ...DEFAULT_APPROVAL_POLICY.tiers,
    medium: {
      autoApprove: false,
      approvers: [['team-lead']],
      timeout: `${TIMEOUT_S}s`,
      escalation: [
        { level: 0, after: 0, notify: [{ role: 'team-lead', channel: 'log' }, { role: 'team-lead', channel: 'webhook' }] },
        { level: 1, after: `${TIMEOUT_S}s`, notify: [{ role: 'team-lead', channel: 'log' }, { role: 'team-lead', channel: 'webhook' }] },
        { level: 2, after: '10m', notify: [{ role: 'manager', channel: 'log' }, { role: 'manager', channel: 'webhook' }] },
      ],
    },
  },
};

interface Pending {
  readonly approvalId: string;
  readonly deadline: number;
}

describe(`Redis flushed and restarted while ${APPROVALS} approvals are pending (medium tier, ${TIMEOUT_S} s timeout)`, () => {
  let redis: RedisHandle;
  let receiver: Receiver;
  let policyFile: { path: string; remove(): void };
  const apps: ReliabilityVigil[] = [];

  beforeEach(async () => {
    redis = await startRedis({ ignoreEnv: true });
    receiver = await startReceiver();
    policyFile = writePolicyFile(policy);
  });
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.drop().catch(() => undefined);
    await receiver?.close();
    await redis?.stop();
    policyFile?.remove();
  });

  const env = () => ({
    REDIS_URL: redis.url,
    VIGIL_APPROVAL_POLICY_FILE: policyFile.path,
    VIGIL_NOTIFY_WEBHOOK_URL: receiver.url,
    VIGIL_NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The periodic pass must not be what saves a deadline (see the header): only start-up and reconnect re-arm here.
    VIGIL_TIMER_RECONCILE_MS: String(10 * 60_000),
  });

  /** 50 proposals through the API; resolves once every approval's level-0 timer is in Redis. */
  async function fiftyPendingApprovals(vigil: ReliabilityVigil): Promise<Pending[]> {
    const proposals = await mapLimit(Array.from({ length: APPROVALS }, (_, i) => i), 10, async (i) => {
      const response = await vigil.request('POST', '/api/proposals', {
        token: vigil.tokens.alice,
        body: { action: { kind: 'argocd.rollback', target: `argocd:svc-${i}`, params: {} }, rationale: `redis loss ${i}` },
      });
      expect(response.status).toBe(201);
      expect(response.body.tier).toBe('medium');
      return response.body.id as string;
    });
    const pending = await eventually(
      `${APPROVALS} approvals requested`,
      async () => {
        const { rows } = await vigil.runtime.pool.query<{ approval_id: string; deadline: string }>(
          `SELECT data->>'approvalId' AS approval_id, data->>'deadline' AS deadline FROM events WHERE type = 'ApprovalRequested' AND data->>'proposalId' = ANY($1)`,
          [proposals],
        );
        return rows.length === APPROVALS ? rows.map((row) => ({ approvalId: row.approval_id, deadline: Date.parse(row.deadline) })) : undefined;
      },
      30_000,
    );
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await eventually(
        'every level-0 timer in Redis',
        async () => {
          const keys = (await admin.keys('*vigil-timers*approval-timeout*')).join('\n');
          return pending.every(({ approvalId }) => keys.includes(`approval-timeout%3A${approvalId}%3A0`));
        },
        20_000,
      );
    } finally {
      admin.disconnect();
    }
    return pending;
  }

  /** The precondition of the measurement: Redis is lost well before any deadline (a set-up that overran it says so). */
  function expectTimeLeftBeforeDeadlines(pending: readonly Pending[]) {
    const leftMs = Math.min(...pending.map((p) => p.deadline)) - Date.now();
    if (leftMs < LOSS_MARGIN_MS) {
      throw new Error(`set-up overran: Redis would be lost ${leftMs} ms before the soonest deadline (needs ${LOSS_MARGIN_MS} ms), so the pages would time the outage, not the re-arming`);
    }
  }

  async function flushAndRestartRedis(): Promise<void> {
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await admin.flushall();
      expect(await admin.keys('*approval-timeout*')).toEqual([]);
    } finally {
      admin.disconnect();
    }
    await redis.restart();
  }

  /** Lateness of each approval's first level-1 page (ms after its deadline), once all have arrived or the wait is over. */
  async function levelOneLateness(pending: readonly Pending[], waitUntil: number): Promise<Map<string, number | undefined>> {
    const lateness = () => {
      const result = new Map<string, number | undefined>();
      for (const { approvalId, deadline } of pending) {
        const page = receiver.arrivals.find((arrival) => arrival.body?.level === 1 && arrival.body?.refs?.approvalId === approvalId);
        result.set(approvalId, page && page.receivedAt - deadline);
      }
      return result;
    };
    while (Date.now() < waitUntil && [...lateness().values()].some((late) => late === undefined)) await new Promise((resolve) => setTimeout(resolve, 200));
    return lateness();
  }

  /** Stderr summary; `since` = when the app that should page was started (the reconciler passes at start-up and every 30 s after). */
  function report(name: string, lateness: Map<string, number | undefined>, since: number) {
    const values = [...lateness.values()].filter((late): late is number => late !== undefined).sort((a, b) => a - b);
    const pages = receiver.arrivals.filter((arrival) => arrival.body?.level === 1).map((arrival) => (arrival.receivedAt - since) / 1000);
    process.stderr.write(
      `[redis-loss] ${name}: ${values.length}/${lateness.size} level-1 pages; lateness min ${values[0]} ms, median ${values[Math.floor(values.length / 2)]} ms, max ${values[values.length - 1]} ms; ` +
        `pages arrived ${Math.min(...pages).toFixed(1)}–${Math.max(...pages).toFixed(1)} s after the app started\n`,
    );
  }

  function expectAllOnTime(lateness: Map<string, number | undefined>) {
    const missing = [...lateness].filter(([, late]) => late === undefined).map(([approvalId]) => approvalId);
    expect({ missing: missing.length }).toEqual({ missing: 0 });
    const offTime = [...lateness].filter(([, late]) => Math.abs(late as number) > TOLERANCE_MS).map(([approvalId, late]) => `${approvalId}: ${late} ms`);
    expect(offTime).toEqual([]);
    expect(receiver.arrivals.every((arrival) => verifyWebhookSignature(WEBHOOK_SECRET, { timestamp: arrival.headers['x-vigil-timestamp'] as string, signature: arrival.headers['x-vigil-signature'] as string }, arrival.raw))).toBe(true);
  }

  it('with the app restarted on the same database: every level-1 page arrives within ±5 s of its deadline', async () => {
    const first = await startVigil({ env: env() });
    apps.push(first);
    const pending = await fiftyPendingApprovals(first);
    await first.stop();
    expectTimeLeftBeforeDeadlines(pending);
    await flushAndRestartRedis();
    const secondStarted = Date.now();
    const second = await startVigil({ env: env(), restartOf: first });
    apps.push(second);

    const lateness = await levelOneLateness(pending, Math.max(...pending.map((p) => p.deadline)) + 40_000);
    report('app restarted', lateness, secondStarted);
    expectAllOnTime(lateness);
    // Each approval escalated once, and its deadline moved to level 2.
    const { rows } = await second.runtime.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'ApprovalDeadlineExtended' AND (data->>'level')::int = 1`);
    expect(rows[0].n).toBe(APPROVALS);
  });

  it('with the app left running: every level-1 page arrives within ±5 s of its deadline', async () => {
    const started = Date.now();
    const vigil = await startVigil({ env: env() });
    apps.push(vigil);
    const pending = await fiftyPendingApprovals(vigil);
    expectTimeLeftBeforeDeadlines(pending);
    await flushAndRestartRedis();

    const lateness = await levelOneLateness(pending, Math.max(...pending.map((p) => p.deadline)) + 40_000);
    report('app left running', lateness, started);
    expectAllOnTime(lateness);
  });
});
