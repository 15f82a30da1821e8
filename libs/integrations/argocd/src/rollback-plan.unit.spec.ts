import type { ArgoCdApplication, ArgoCdOperationState } from './argocd-types';
import {
  InvalidArgoCdActionError,
  describeRollback,
  evaluateRollbackProgress,
  evidenceOfEarlierRollback,
  parseArgoCdTarget,
  parseRollbackParams,
  readRollbackRequested,
  rollbackRequestedDetail,
  selectRollbackTarget,
  type RollbackRequestedDetail,
} from './rollback-plan';

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccccccccccccccccccccccccccc';

function app(revisions: string[], extra: Partial<{ operationState: ArgoCdOperationState; sync: string; health: string; operation: ArgoCdApplication['operation'] }> = {}): ArgoCdApplication {
  return {
    metadata: { name: 'payments' },
    spec: {},
    ...(extra.operation ? { operation: extra.operation } : {}),
    status: {
      // deliberately unsorted: selection must not rely on array order
      history: revisions.map((revision, id) => ({ id, revision })).reverse(),
      sync: { status: extra.sync ?? 'Synced', revision: revisions[revisions.length - 1] },
      health: { status: extra.health ?? 'Healthy' },
      operationState: extra.operationState ?? { operation: { sync: { revision: revisions[revisions.length - 1] } }, phase: 'Succeeded', startedAt: '2024-01-01T00:00:00Z' },
    },
  };
}

describe('parseArgoCdTarget', () => {
  it('reads argocd:<app> and argocd:<appNamespace>/<app>', () => {
    expect(parseArgoCdTarget('argocd:payments')).toEqual({ appName: 'payments' });
    expect(parseArgoCdTarget('argocd:team-a/payments-api')).toEqual({ appName: 'payments-api', appNamespace: 'team-a' });
  });

  it.each(['payments', 'argocd:', 'argocd:a/b/c', 'k8s:prod/api', 'argocd:Payments', 'argocd:-x'])('refuses %s', (target) => {
    expect(() => parseArgoCdTarget(target)).toThrow(InvalidArgoCdActionError);
  });
});

describe('parseRollbackParams', () => {
  it('applies defaults', () => {
    expect(parseRollbackParams({}, 600)).toEqual({ prune: false, timeoutSeconds: 600 });
    expect(parseRollbackParams({ historyId: 3, prune: true, timeoutSeconds: 30 }, 600)).toEqual({ historyId: 3, prune: true, timeoutSeconds: 30 });
  });

  it.each([{ historyId: -1 }, { historyId: 1.5 }, { historyId: '3' }, { prune: 'yes' }, { timeoutSeconds: 0 }, { revision: '' }, { force: true }])('refuses %j', (params) => {
    expect(() => parseRollbackParams(params, 600)).toThrow(InvalidArgoCdActionError);
  });
});

describe('selectRollbackTarget', () => {
  it('defaults to the previous deployment', () => {
    const selection = selectRollbackTarget(app([A, B, C]), {});
    expect(selection).toMatchObject({ kind: 'rollback', from: { id: 2, revision: C }, to: { id: 1, revision: B } });
  });

  it('skips earlier entries that re-deployed the current revision', () => {
    expect(selectRollbackTarget(app([A, B, B]), {})).toMatchObject({ kind: 'rollback', from: { id: 2 }, to: { id: 0, revision: A } });
  });

  it('takes an explicit history id, or the newest entry of a revision', () => {
    expect(selectRollbackTarget(app([A, B, C]), { historyId: 0 })).toMatchObject({ kind: 'rollback', to: { id: 0, revision: A } });
    expect(selectRollbackTarget(app([A, B, A, C]), { revision: A })).toMatchObject({ kind: 'rollback', to: { id: 2 } });
  });

  it('reports an explicit target that is already deployed', () => {
    expect(selectRollbackTarget(app([A, B]), { historyId: 1 })).toMatchObject({ kind: 'already-there', current: { id: 1 } });
    expect(selectRollbackTarget(app([A, B]), { revision: B })).toMatchObject({ kind: 'already-there' });
  });

  it.each([
    [[A], {}, 'ARGOCD.NO_PREVIOUS_REVISION'],
    [[A, A], {}, 'ARGOCD.NO_PREVIOUS_REVISION'],
    [[A, B], { historyId: 7 }, 'ARGOCD.HISTORY_NOT_FOUND'],
    [[A, B], { revision: C }, 'ARGOCD.HISTORY_NOT_FOUND'],
    [[A, B], { historyId: 0, revision: B }, 'ARGOCD.REVISION_MISMATCH'],
    [[], {}, 'ARGOCD.NO_HISTORY'],
  ] as const)('cannot roll back %j with %j', (revisions, params, code) => {
    expect(selectRollbackTarget(app([...revisions]), params)).toMatchObject({ kind: 'impossible', code });
  });
});

describe('describeRollback', () => {
  it('names both revisions (short SHAs) and history ids', () => {
    expect(describeRollback('payments', { id: 4, revision: C }, { id: 3, revision: B })).toBe('would roll back payments from ccccccc (history 4) to bbbbbbb (history 3)');
    expect(describeRollback('chart', { id: 1, revision: '1.2.0' }, { id: 0, revision: '1.1.0' })).toBe('would roll back chart from 1.2.0 (history 1) to 1.1.0 (history 0)');
  });
});

describe('recognising a rollback sent by an earlier attempt', () => {
  const before = app([A, B, C]);
  const step: RollbackRequestedDetail = rollbackRequestedDetail(
    { app: 'payments', historyId: 1, revision: B, previousHistoryId: 2, previousRevision: C, prune: false, requestedAt: '2024-01-02T00:00:00Z' },
    before,
  );

  it('remembers what it saw before posting', () => {
    expect(step).toMatchObject({ priorOperationStartedAt: '2024-01-01T00:00:00Z', priorMaxHistoryId: 2 });
    expect(readRollbackRequested(JSON.parse(JSON.stringify(step)), { appName: 'payments' })).toEqual(step);
    expect(readRollbackRequested({ ...step }, { appName: 'other' })).toBeUndefined();
    expect(readRollbackRequested({ app: 'payments' }, { appName: 'payments' })).toBeUndefined();
  });

  it('finds no evidence when nothing changed (safe to re-post)', () => {
    expect(evidenceOfEarlierRollback(before, step)).toBeUndefined();
  });

  it('finds a pending or newer operation to the target revision', () => {
    expect(evidenceOfEarlierRollback(app([A, B, C], { operation: { sync: { revision: B } } }), step)).toMatch(/pending/);
    const running = app([A, B, C], { operationState: { operation: { sync: { revision: B } }, phase: 'Running', startedAt: '2024-01-02T00:00:01Z' } });
    expect(evidenceOfEarlierRollback(running, step)).toMatch(/operation to bbbbbbb started/);
  });

  it('tells a same-second operation apart by its revision', () => {
    const sameSecond = app([A, B, C], { operationState: { operation: { sync: { revision: B } }, phase: 'Running', startedAt: '2024-01-01T00:00:00Z' } });
    expect(evidenceOfEarlierRollback(sameSecond, step)).toMatch(/operation to bbbbbbb/);
  });

  it('finds a newer history entry at the target revision', () => {
    const priorOperation: ArgoCdOperationState = { operation: { sync: { revision: C } }, phase: 'Succeeded', startedAt: '2024-01-01T00:00:00Z' };
    expect(evidenceOfEarlierRollback(app([A, B, C, B], { operationState: priorOperation }), step)).toMatch(/history entry 3/);
  });
});

describe('evaluateRollbackProgress', () => {
  const step = rollbackRequestedDetail(
    { app: 'payments', historyId: 1, revision: B, previousHistoryId: 2, previousRevision: C, prune: false, requestedAt: '2024-01-02T00:00:00Z' },
    app([A, B, C]),
  );
  const ours = (phase: ArgoCdOperationState['phase']): ArgoCdOperationState => ({ operation: { sync: { revision: B } }, phase, startedAt: '2024-01-02T00:00:01Z' });

  it('waits while the operation runs', () => {
    expect(evaluateRollbackProgress(app([A, B, C], { operationState: ours('Running') }), step, true)).toMatchObject({ state: 'waiting' });
  });

  it('waits for health after the sync succeeded', () => {
    expect(evaluateRollbackProgress(app([A, B, C, B], { operationState: ours('Succeeded'), health: 'Progressing' }), step, true)).toMatchObject({ state: 'waiting', why: 'health Progressing' });
  });

  it('succeeds when synced and healthy at the target revision', () => {
    expect(evaluateRollbackProgress(app([A, B, C, B], { operationState: ours('Succeeded') }), step, true)).toMatchObject({ state: 'succeeded', syncStatus: 'Synced', healthStatus: 'Healthy' });
  });

  it('waits for Synced unless told not to', () => {
    const outOfSync = app([A, B, C, B], { operationState: ours('Succeeded'), sync: 'OutOfSync' });
    expect(evaluateRollbackProgress(outOfSync, step, true)).toMatchObject({ state: 'waiting', why: 'sync OutOfSync' });
    expect(evaluateRollbackProgress(outOfSync, step, false)).toMatchObject({ state: 'succeeded' });
  });

  it('fails on a failed operation or Degraded health', () => {
    expect(evaluateRollbackProgress(app([A, B, C], { operationState: ours('Failed') }), step, true)).toMatchObject({ state: 'failed', code: 'ARGOCD.SYNC_FAILED' });
    expect(evaluateRollbackProgress(app([A, B, C, B], { operationState: ours('Succeeded'), health: 'Degraded' }), step, true)).toMatchObject({ state: 'failed', code: 'ARGOCD.DEGRADED' });
  });

  it('does not take the old Succeeded operation for ours', () => {
    expect(evaluateRollbackProgress(app([A, B, C]), step, true)).toMatchObject({ state: 'waiting', why: 'deployed revision is ccccccc' });
  });
});
