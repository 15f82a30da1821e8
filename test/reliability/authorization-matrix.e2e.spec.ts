import { randomUUID } from 'node:crypto';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { RecordedEvent } from '@vigil/event-store';
import { PUBLIC_KEY, ROLES_KEY } from '../../apps/vigil/src/auth/roles.decorator';
import { mapLimit, ReliabilityVigil, startVigil } from './support';

/**
 * Issue 3 item 10: "an authorization matrix over every mutating endpoint × every role → no unauthorized success,
 * every refusal audited". Each cell is one request by one caller; its outcome must be exactly the expected one, and
 * a refusal must be in the audit log under the request's correlation id: an AUTH refusal as `AccessRefused` in
 * `security-<actor>` (`anonymous` without a valid token), a vote refusal as `VoteRefused` in the approval's stream.
 * A refused request must leave nothing else behind.
 */

type Caller = 'alice' | 'lee' | 'sara' | 'mo' | 'vera' | 'audrey' | 'admin' | 'no token' | 'bogus token';
const ROLE_OF: Record<Caller, string> = {
  alice: 'responder',
  lee: 'team-lead',
  sara: 'sre',
  mo: 'manager',
  vera: 'vp-eng',
  audrey: 'auditor',
  admin: 'admin',
  'no token': 'none',
  'bogus token': 'none',
};
const CALLERS = Object.keys(ROLE_OF) as Caller[];
const BOGUS_TOKEN = 'vgl_this-token-was-never-issued-0000000000';

/** The mutating routes with a cell-by-cell table below; any other mutating route the app serves gets the generic sweep. */
const TABLED_ROUTES = ['POST /api/anomalies', 'POST /api/proposals', 'POST /api/approvals/:id/votes'];
/** A POST that changes nothing: the tier an action would get (any signed-in user). */
/**
 * POST routes that change nothing in the system: a tier preview, and ending one's own SSO session (every signed-in
 * user, the auditor included, may sign out; it is audited as SignedOut).
 */
const NOT_MUTATING = ['POST /api/proposals/assess', 'POST /api/auth/oidc/sign-out'];
/** Roles that may change anything at all; the auditor only reads. */
const MUTATING_ROLES = ['responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'admin'];

interface RouteInfo {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  /** @AllowRoles of the handler (or its controller); undefined = any signed-in user. */
  readonly roles?: readonly string[];
  readonly isPublic: boolean;
}

const METHOD_NAMES: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
  [RequestMethod.ALL]: 'ALL',
};

/** Every non-GET route of every controller, from the controllers' own metadata (what the guard reads too). */
function mutatingRoutes(app: INestApplication): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type) continue;
      const prefix = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const subPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = METHOD_NAMES[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        if (subPath === undefined || !method) continue;
        for (const sub of Array.isArray(subPath) ? subPath : [subPath]) {
          const path = `/${[prefix, sub].map((part) => part.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
          const roles = (Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, type)) as string[] | undefined;
          const isPublic = Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, type));
          routes.push({ route: `${method} ${path}`, method, path, roles, isPublic });
        }
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

const TIERS = {
  low: { action: { kind: 'k8s.scale', target: 'k8s:prod/payments/deployment/api', params: { replicas: 6 } }, required: ['responder', 'team-lead', 'sre', 'manager', 'vp-eng'], grantsAlone: true },
  medium: { action: { kind: 'argocd.rollback', target: 'argocd:payments', params: {} }, required: ['team-lead'], grantsAlone: true },
  high: { action: { kind: 'db.failover', target: 'db:orders', params: {} }, required: ['sre', 'manager'], grantsAlone: false },
  critical: { action: { kind: 'region.failover', target: 'region:eu-west-1', params: {} }, required: ['vp-eng'], grantsAlone: true },
} as const;
type Tier = keyof typeof TIERS;
const PROPOSERS = ['alice', 'admin'] as const;

interface Expected {
  readonly status: number;
  readonly code?: string;
  /** Where the refusal must be audited. */
  readonly audit?: 'security' | 'approval';
}

function authExpectation(caller: Caller): Expected | undefined {
  if (caller === 'no token' || caller === 'bogus token') return { status: 401, code: 'AUTH.UNAUTHENTICATED', audit: 'security' };
  if (caller === 'audrey') return { status: 403, code: 'AUTH.FORBIDDEN', audit: 'security' };
  return undefined;
}

function voteExpectation(tier: Tier, proposer: string, caller: Caller): Expected {
  const auth = authExpectation(caller);
  if (auth) return auth;
  if (caller === proposer) return { status: 403, code: 'APPROVAL.SELF_APPROVAL', audit: 'approval' };
  if (!(TIERS[tier].required as readonly string[]).includes(ROLE_OF[caller])) return { status: 403, code: 'APPROVAL.ROLE_REQUIRED', audit: 'approval' };
  return { status: 201 };
}

describe('authorization matrix: every mutating endpoint × every role', () => {
  let vigil: ReliabilityVigil;
  /** approval id of each vote cell: a fresh approval per cell, so no cell sees another's vote. */
  const approvalOf = new Map<string, string>();
  const anomalyId: { value?: string } = {};
  const voteCell = (tier: Tier, proposer: string, caller: Caller) => `${tier}|${proposer}|${caller}`;

  const tokenOf = (caller: Caller): string | undefined => (caller === 'no token' ? undefined : caller === 'bogus token' ? BOGUS_TOKEN : vigil.tokens[caller]);
  const actorOf = (caller: Caller) => (caller === 'no token' || caller === 'bogus token' ? 'anonymous' : caller);

  beforeAll(async () => {
    vigil = await startVigil();
    const anomaly = await vigil.request('POST', '/api/anomalies', {
      token: vigil.tokens.lee,
      body: { service: 'authz', operation: 'GET /', signal: 'latency_p99', expected: 100, actual: 900, severity: 'error' },
    });
    anomalyId.value = anomaly.body.id;
    const cells = (Object.keys(TIERS) as Tier[]).flatMap((tier) => PROPOSERS.flatMap((proposer) => CALLERS.map((caller) => ({ tier, proposer, caller }))));
    await mapLimit(cells, 16, async ({ tier, proposer, caller }) => {
      const proposal = await vigil.request('POST', '/api/proposals', {
        token: vigil.tokens[proposer],
        body: { action: TIERS[tier].action, rationale: `matrix ${tier} ${proposer} ${caller}` },
      });
      expect(proposal.status).toBe(201);
      const approvalId = proposal.body.approvalId ?? (await approvalRequestedFor(proposal.body.id));
      approvalOf.set(voteCell(tier, proposer, caller), approvalId);
    });
  }, 120_000);
  afterAll(() => vigil?.drop());

  async function approvalRequestedFor(proposalId: string): Promise<string> {
    for (let i = 0; i < 300; i++) {
      const { rows } = await vigil.runtime.pool.query<{ id: string }>(`SELECT data->>'approvalId' AS id FROM events WHERE type = 'ApprovalRequested' AND data->>'proposalId' = $1`, [proposalId]);
      if (rows[0]) return rows[0].id;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no approval for proposal ${proposalId}`);
  }

  async function eventsWithCorrelation(correlationId: string): Promise<RecordedEvent[]> {
    const { rows } = await vigil.runtime.pool.query<{ stream_id: string; type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>(
      `SELECT stream_id, type, data, metadata FROM events WHERE metadata->>'correlationId' = $1 ORDER BY global_position`,
      [correlationId],
    );
    return rows.map((row) => ({ streamId: row.stream_id, type: row.type, data: row.data, metadata: row.metadata }) as unknown as RecordedEvent);
  }

  /** The refusal is audited where it belongs, under the request's correlation id, and nothing else was recorded. */
  async function expectAuditedRefusal(response: { status: number; body: { code?: string; correlationId?: string } }, expected: Expected, caller: Caller, path: string, approvalId?: string) {
    const correlationId = response.body.correlationId as string;
    expect(correlationId).toEqual(expect.any(String));
    const recorded = await eventsWithCorrelation(correlationId);
    if (expected.audit === 'security') {
      expect(recorded).toEqual([
        expect.objectContaining({
          streamId: `security-${actorOf(caller)}`,
          type: 'AccessRefused',
          data: expect.objectContaining({ actor: actorOf(caller), code: expected.code, method: 'POST', path, correlationId }),
        }),
      ]);
    } else {
      expect(recorded).toEqual([
        expect.objectContaining({
          streamId: `approval-${approvalId}`,
          type: 'VoteRefused',
          data: expect.objectContaining({ approvalId, by: caller, code: expected.code }),
          metadata: expect.objectContaining({ actor: caller }),
        }),
      ]);
    }
  }

  it('the tabled routes are served, need a token, and leave the auditor out', () => {
    const routes = mutatingRoutes(vigil.app);
    for (const route of TABLED_ROUTES) {
      const info = routes.find((candidate) => candidate.route === route);
      expect({ route, isPublic: info?.isPublic, roles: [...(info?.roles ?? [])].sort() }).toEqual({ route, isPublic: false, roles: [...MUTATING_ROLES].sort() });
    }
  });

  it('every other mutating route: no token or a bogus one → 401, the auditor and roles outside its @AllowRoles → 403, each refusal audited; a public route gives an unsigned request no 2xx', async () => {
    const others = mutatingRoutes(vigil.app).filter((info) => !TABLED_ROUTES.includes(info.route) && !NOT_MUTATING.includes(info.route));
    const violations: string[] = [];
    for (const info of others) {
      if (!info.isPublic && !info.roles) violations.push(`${info.route}: mutating but open to every signed-in user (no @AllowRoles), the auditor included`);
      if (info.roles?.includes('auditor')) violations.push(`${info.route}: @AllowRoles lets the auditor change something`);
      const path = info.path.replace(/:[A-Za-z]+/g, () => randomUUID());
      for (const caller of CALLERS) {
        const response = await vigil.request(info.method === 'ALL' ? 'POST' : info.method, path, { token: tokenOf(caller), body: {} });
        const cell = `${info.route} by ${caller}: ${response.status} ${response.body?.code ?? ''}`;
        if (info.isPublic) {
          if (response.status < 300) violations.push(`${cell} (public route accepted an unsigned request)`);
          continue;
        }
        const expected = authExpectation(caller) ?? (info.roles && !info.roles.includes(ROLE_OF[caller]) ? { status: 403, code: 'AUTH.FORBIDDEN', audit: 'security' as const } : undefined);
        if (!expected) {
          if (response.status === 401 || response.body?.code === 'AUTH.FORBIDDEN') violations.push(`${cell} (allowed role refused)`);
          continue;
        }
        if (response.status !== expected.status || response.body?.code !== expected.code) {
          violations.push(`${cell} (expected ${expected.status} ${expected.code})`);
          continue;
        }
        const recorded = await eventsWithCorrelation(response.body.correlationId);
        const audited = recorded.length === 1 && recorded[0].streamId === `security-${actorOf(caller)}` && recorded[0].type === 'AccessRefused';
        if (!audited) violations.push(`${cell} not audited as AccessRefused in security-${actorOf(caller)} (recorded: ${recorded.map((e) => `${e.streamId}/${e.type}`).join(', ') || 'nothing'})`);
      }
    }
    process.stderr.write(`[authorization-matrix] generic sweep over ${others.length} other mutating route(s): ${others.map((info) => info.route).join(', ') || 'none'}\n`);
    expect(violations).toEqual([]);
  });

  describe('POST /api/anomalies', () => {
    it.each(CALLERS)('%s', async (caller) => {
      const expected = authExpectation(caller) ?? { status: 201 };
      const response = await vigil.request('POST', '/api/anomalies', {
        token: tokenOf(caller),
        body: { service: `authz-${caller.replace(' ', '-')}`, operation: 'POST /x', signal: 'error_rate', expected: 0.01, actual: 0.5, severity: 'error' },
      });
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: expected.status, code: expected.code });
      if (expected.status === 201) {
        const stream = await vigil.runtime.store.readStream(`anomaly-${response.body.id}`);
        expect(stream.map((e) => [e.type, e.metadata.actor])).toEqual([['AnomalyDetected', caller]]);
      } else {
        await expectAuditedRefusal(response, expected, caller, '/api/anomalies');
      }
    });
  });

  describe('POST /api/proposals', () => {
    it.each(CALLERS)('%s', async (caller) => {
      const expected = authExpectation(caller) ?? { status: 201 };
      const response = await vigil.request('POST', '/api/proposals', {
        token: tokenOf(caller),
        body: { anomalyId: anomalyId.value, action: TIERS.medium.action, rationale: `proposed by ${caller}` },
      });
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: expected.status, code: expected.code });
      if (expected.status === 201) {
        const stream = await vigil.runtime.store.readStream(`proposal-${response.body.id}`);
        expect(stream[0]).toMatchObject({ type: 'RemediationProposed', metadata: { actor: caller } });
      } else {
        await expectAuditedRefusal(response, expected, caller, '/api/proposals');
      }
    });
  });

  describe('POST /api/approvals/:id/votes', () => {
    const rows = (Object.keys(TIERS) as Tier[]).flatMap((tier) => PROPOSERS.flatMap((proposer) => CALLERS.map((caller) => [tier, proposer, caller] as const)));
    it.each(rows)('%s tier, proposed by %s, vote by %s', async (tier, proposer, caller) => {
      const approvalId = approvalOf.get(voteCell(tier, proposer, caller)) as string;
      const expected = voteExpectation(tier, proposer, caller);
      const path = `/api/approvals/${approvalId}/votes`;
      const before = await vigil.runtime.store.readStream(`approval-${approvalId}`);
      expect(before.map((e) => e.type)).toEqual(['ApprovalRequested']);
      const response = await vigil.request('POST', path, { token: tokenOf(caller), body: { decision: 'approve' } });
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: expected.status, code: expected.code });
      const after = (await vigil.runtime.store.readStream(`approval-${approvalId}`)).map((e) => e.type);
      if (expected.status === 201) {
        expect(response.body.status).toBe(TIERS[tier].grantsAlone ? 'granted' : 'pending');
        expect(after).toEqual(TIERS[tier].grantsAlone ? ['ApprovalRequested', 'VoteCast', 'ApprovalGranted'] : ['ApprovalRequested', 'VoteCast']);
      } else {
        // No unauthorized success: the refused caller's vote is not in the approval, only its refusal (if it got that far).
        expect(after).toEqual(expected.audit === 'approval' ? ['ApprovalRequested', 'VoteRefused'] : ['ApprovalRequested']);
        await expectAuditedRefusal(response, expected, caller, path, approvalId);
      }
    });
  });
});
