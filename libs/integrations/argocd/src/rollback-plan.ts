/**
 * Pure decisions behind `argocd.rollback`: target parsing, choosing the history entry, recognising a rollback an
 * earlier attempt already sent, and judging progress. No I/O here.
 */
import type { ArgoCdApplication, ArgoCdOperationState, ArgoCdRevisionHistory } from './argocd-types';

export const ARGOCD_ROLLBACK_KIND = 'argocd.rollback';
export const ROLLBACK_REQUESTED_STEP = 'argocd.rollback-requested';

export class InvalidArgoCdActionError extends Error {
  override readonly name = 'InvalidArgoCdActionError';
}

export interface ArgoCdTarget {
  readonly appName: string;
  /** Only for apps outside the control-plane namespace ("apps in any namespace"). */
  readonly appNamespace?: string;
}

// Kubernetes object names (DNS-1123 subdomain / label).
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** `argocd:<appName>` or `argocd:<appNamespace>/<appName>`. */
export function parseArgoCdTarget(target: string): ArgoCdTarget {
  const match = /^argocd:(?:([^/]+)\/)?([^/]+)$/.exec(target.trim());
  if (!match) throw new InvalidArgoCdActionError(`target "${target}" is not argocd:<app> or argocd:<appNamespace>/<app>`);
  const [, appNamespace, appName] = match;
  if (!NAME.test(appName)) throw new InvalidArgoCdActionError(`"${appName}" is not a valid application name`);
  if (appNamespace !== undefined && !NAME.test(appNamespace)) throw new InvalidArgoCdActionError(`"${appNamespace}" is not a valid namespace`);
  return appNamespace === undefined ? { appName } : { appName, appNamespace };
}

export interface ArgoCdRollbackParams {
  /** History entry to roll back to; default: the previous deployment (see {@link selectRollbackTarget}). */
  readonly historyId?: number;
  /** Alternative to historyId (what an inverse action carries): the newest history entry deployed at this revision. */
  readonly revision?: string;
  readonly prune: boolean;
  readonly timeoutSeconds: number;
}

export function parseRollbackParams(params: Readonly<Record<string, unknown>>, defaultTimeoutSeconds: number): ArgoCdRollbackParams {
  const known = new Set(['historyId', 'revision', 'prune', 'timeoutSeconds']);
  const unknown = Object.keys(params).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new InvalidArgoCdActionError(`unknown params: ${unknown.join(', ')}`);
  const { historyId, revision, prune, timeoutSeconds } = params;
  if (historyId !== undefined && !(typeof historyId === 'number' && Number.isInteger(historyId) && historyId >= 0)) {
    throw new InvalidArgoCdActionError('params.historyId must be a non-negative integer');
  }
  if (revision !== undefined && !(typeof revision === 'string' && revision.trim() !== '')) {
    throw new InvalidArgoCdActionError('params.revision must be a non-empty string');
  }
  if (prune !== undefined && typeof prune !== 'boolean') throw new InvalidArgoCdActionError('params.prune must be a boolean');
  if (timeoutSeconds !== undefined && !(typeof timeoutSeconds === 'number' && timeoutSeconds > 0 && timeoutSeconds <= 86_400)) {
    throw new InvalidArgoCdActionError('params.timeoutSeconds must be a number in (0, 86400]');
  }
  return {
    ...(historyId !== undefined ? { historyId } : {}),
    ...(revision !== undefined ? { revision } : {}),
    prune: prune ?? false,
    timeoutSeconds: timeoutSeconds ?? defaultTimeoutSeconds,
  };
}

/** History sorted oldest first (ids grow by one per completed sync). */
export function sortedHistory(app: ArgoCdApplication): ArgoCdRevisionHistory[] {
  return [...(app.status?.history ?? [])].sort((a, b) => a.id - b.id);
}

/** What is deployed now: the newest history entry. */
export function currentDeployment(app: ArgoCdApplication): ArgoCdRevisionHistory | undefined {
  const history = sortedHistory(app);
  return history[history.length - 1];
}

export type RollbackSelection =
  | { readonly kind: 'rollback'; readonly from: ArgoCdRevisionHistory; readonly to: ArgoCdRevisionHistory }
  /** The requested revision is already the deployed one. */
  | { readonly kind: 'already-there'; readonly current: ArgoCdRevisionHistory }
  | { readonly kind: 'impossible'; readonly code: string; readonly reason: string };

/**
 * Chooses the history entry to roll back to.
 *
 * - `historyId` given: that entry (it must exist; when `revision` is also given it must match).
 * - `revision` given: the newest entry deployed at that revision.
 * - neither: **the previous deployment** — the newest entry older than the current one whose revision differs from
 *   the current revision (re-syncs of the same revision are skipped, as rolling back to them would change nothing).
 *   This is what `argocd app rollback <app>` without an id does. ArgoCD does not record health per history entry,
 *   so "previous healthy" means "the one that was live before the current deployment", not a verified-healthy one.
 */
export function selectRollbackTarget(app: ArgoCdApplication, params: Pick<ArgoCdRollbackParams, 'historyId' | 'revision'>): RollbackSelection {
  const history = sortedHistory(app);
  const current = history[history.length - 1];
  if (!current) return { kind: 'impossible', code: 'ARGOCD.NO_HISTORY', reason: `${app.metadata.name} has no deployment history` };
  let to: ArgoCdRevisionHistory | undefined;
  if (params.historyId !== undefined) {
    to = history.find((entry) => entry.id === params.historyId);
    if (!to) {
      return { kind: 'impossible', code: 'ARGOCD.HISTORY_NOT_FOUND', reason: `${app.metadata.name} has no history entry ${params.historyId} (known: ${history.map((e) => e.id).join(', ')})` };
    }
    if (params.revision !== undefined && to.revision !== params.revision) {
      return { kind: 'impossible', code: 'ARGOCD.REVISION_MISMATCH', reason: `history entry ${to.id} deployed ${to.revision}, not ${params.revision}` };
    }
  } else if (params.revision !== undefined) {
    to = [...history].reverse().find((entry) => entry.revision === params.revision);
    if (!to) return { kind: 'impossible', code: 'ARGOCD.HISTORY_NOT_FOUND', reason: `${app.metadata.name} never deployed revision ${params.revision} (or it left the history)` };
  } else {
    to = [...history].reverse().find((entry) => entry.id < current.id && entry.revision !== current.revision);
    if (!to) return { kind: 'impossible', code: 'ARGOCD.NO_PREVIOUS_REVISION', reason: `${app.metadata.name} has no earlier deployment of a different revision` };
  }
  if (to.revision === current.revision) return { kind: 'already-there', current };
  return { kind: 'rollback', from: current, to };
}

export const shortRevision = (revision: string): string => (/^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision);

export function describeRollback(appName: string, from: ArgoCdRevisionHistory, to: ArgoCdRevisionHistory): string {
  return `would roll back ${appName} from ${shortRevision(from.revision)} (history ${from.id}) to ${shortRevision(to.revision)} (history ${to.id})`;
}

/** An operation is requested or running: ArgoCD refuses a new one ("another operation is already in progress"). */
export function operationInFlight(app: ArgoCdApplication): boolean {
  const phase = app.status?.operationState?.phase;
  return app.operation != null || phase === 'Running' || phase === 'Terminating';
}

/** What the journal keeps before the rollback POST: enough to recognise our own operation on a later attempt. */
export interface RollbackRequestedDetail {
  readonly app: string;
  readonly appNamespace?: string;
  readonly historyId: number;
  readonly revision: string;
  readonly previousHistoryId: number;
  readonly previousRevision: string;
  readonly prune: boolean;
  /** `status.operationState.startedAt` seen just before the POST (null: none), to tell our operation from older ones. */
  readonly priorOperationStartedAt: string | null;
  /** Revision of that operation: with second-precision timestamps, a same-second operation is told apart by it. */
  readonly priorOperationRevision: string | null;
  /** Highest history id seen just before the POST: a newer entry at the target revision means our sync completed. */
  readonly priorMaxHistoryId: number;
  readonly requestedAt: string;
}

export function rollbackRequestedDetail(
  input: Omit<RollbackRequestedDetail, 'priorOperationStartedAt' | 'priorOperationRevision' | 'priorMaxHistoryId'>,
  app: ArgoCdApplication,
): RollbackRequestedDetail {
  return {
    ...input,
    priorOperationStartedAt: app.status?.operationState?.startedAt ?? null,
    priorOperationRevision: operationRevision(app.status?.operationState) ?? null,
    priorMaxHistoryId: currentDeployment(app)?.id ?? -1,
  };
}

/** Reads a journal step back (it may have round-tripped through JSON); undefined when it is not ours or malformed. */
export function readRollbackRequested(detail: Readonly<Record<string, unknown>>, target: ArgoCdTarget): RollbackRequestedDetail | undefined {
  const d = detail;
  const ok =
    d.app === target.appName &&
    (d.appNamespace ?? undefined) === target.appNamespace &&
    typeof d.historyId === 'number' &&
    typeof d.revision === 'string' &&
    typeof d.previousHistoryId === 'number' &&
    typeof d.previousRevision === 'string' &&
    typeof d.prune === 'boolean' &&
    (d.priorOperationStartedAt === null || typeof d.priorOperationStartedAt === 'string') &&
    (d.priorOperationRevision === null || typeof d.priorOperationRevision === 'string') &&
    typeof d.priorMaxHistoryId === 'number' &&
    typeof d.requestedAt === 'string';
  return ok ? (d as unknown as RollbackRequestedDetail) : undefined;
}

const operationRevision = (state: ArgoCdOperationState | null | undefined): string | undefined =>
  state?.syncResult?.revision ?? state?.operation?.sync?.revision;

/** The operation in `operationState` is not the one seen before the step was recorded. */
function isNewOperation(app: ArgoCdApplication, step: RollbackRequestedDetail): boolean {
  const state = app.status?.operationState;
  if (!state) return false;
  return state.startedAt !== step.priorOperationStartedAt || (operationRevision(state) ?? null) !== step.priorOperationRevision;
}

/**
 * After a crash between the journal step and the end of the POST: did ArgoCD receive the rollback?
 * Returns the evidence, or undefined when the server clearly never got it (then re-posting is safe).
 */
export function evidenceOfEarlierRollback(app: ArgoCdApplication, step: RollbackRequestedDetail): string | undefined {
  if (app.operation?.sync?.revision === step.revision) return `an operation to ${shortRevision(step.revision)} is pending`;
  const state = app.status?.operationState;
  if (isNewOperation(app, step) && operationRevision(state) === step.revision) {
    return `operation to ${shortRevision(step.revision)} started at ${state?.startedAt} (${state?.phase})`;
  }
  const deployed = sortedHistory(app).find((entry) => entry.id > step.priorMaxHistoryId && entry.revision === step.revision);
  if (deployed) return `history entry ${deployed.id} deployed ${shortRevision(step.revision)}`;
  if (currentDeployment(app)?.revision === step.revision) return `the deployed revision already is ${shortRevision(step.revision)}`;
  return undefined;
}

export type RollbackProgress =
  | { readonly state: 'waiting'; readonly why: string }
  | { readonly state: 'succeeded'; readonly syncStatus: string; readonly healthStatus: string; readonly phase?: string }
  | { readonly state: 'failed'; readonly code: string; readonly message: string };

/**
 * Judges one poll. Done when no operation is in flight, the deployed revision is the target, health is Healthy
 * and (unless `requireSynced` is false) sync is Synced. Fails on our operation ending Failed/Error, or Degraded
 * health once our operation has finished.
 *
 * Caveat for real installations: after a rollback to an older commit, an app whose `spec.source.targetRevision`
 * tracks a branch (HEAD) compares OutOfSync, because the live state no longer matches the branch tip. Set
 * `requireSynced: false` there; the deployed revision and health remain checked.
 */
export function evaluateRollbackProgress(app: ArgoCdApplication, step: RollbackRequestedDetail, requireSynced: boolean): RollbackProgress {
  const state = app.status?.operationState;
  const ours = isNewOperation(app, step) && operationRevision(state) === step.revision;
  if (ours && (state?.phase === 'Failed' || state?.phase === 'Error')) {
    return { state: 'failed', code: 'ARGOCD.SYNC_FAILED', message: `rollback of ${step.app} to ${shortRevision(step.revision)} ended ${state.phase}: ${state.message ?? ''}`.trim() };
  }
  if (operationInFlight(app)) return { state: 'waiting', why: `operation ${state?.phase ?? 'requested'}` };
  const syncStatus = app.status?.sync?.status ?? 'Unknown';
  const healthStatus = app.status?.health?.status ?? 'Unknown';
  const deployed = currentDeployment(app)?.revision;
  if (deployed !== step.revision && !(ours && state?.phase === 'Succeeded')) {
    return { state: 'waiting', why: `deployed revision is ${deployed ? shortRevision(deployed) : 'unknown'}` };
  }
  if (healthStatus === 'Degraded') {
    return { state: 'failed', code: 'ARGOCD.DEGRADED', message: `${step.app} is Degraded after rolling back to ${shortRevision(step.revision)}: ${app.status?.health?.message ?? ''}`.trim() };
  }
  if (requireSynced && syncStatus !== 'Synced') return { state: 'waiting', why: `sync ${syncStatus}` };
  if (healthStatus !== 'Healthy') return { state: 'waiting', why: `health ${healthStatus}` };
  return { state: 'succeeded', syncStatus, healthStatus, ...(state?.phase ? { phase: state.phase } : {}) };
}
