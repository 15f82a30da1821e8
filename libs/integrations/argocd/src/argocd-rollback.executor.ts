import { readFileSync } from 'node:fs';
import type { Action, ActionExecutor, DryRunResult, ExecutionContext, ExecutionOutcome } from '@vigil/executors';
import { ArgoCdAbortedError, ArgoCdApiError, ArgoCdClient, ArgoCdNetworkError, type ArgoCdClientOptions } from './argocd-client';
import type { ArgoCdApplication } from './argocd-types';
import {
  ARGOCD_ROLLBACK_KIND,
  InvalidArgoCdActionError,
  ROLLBACK_REQUESTED_STEP,
  describeRollback,
  evaluateRollbackProgress,
  evidenceOfEarlierRollback,
  operationInFlight,
  parseArgoCdTarget,
  parseRollbackParams,
  readRollbackRequested,
  rollbackRequestedDetail,
  selectRollbackTarget,
  shortRevision,
  type ArgoCdTarget,
  type RollbackProgress,
  type RollbackRequestedDetail,
} from './rollback-plan';

export interface ArgoCdExecutorConfig extends ArgoCdClientOptions {
  /** How often to re-read the application while the rollback runs; default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** When params.timeoutSeconds is absent; default 600. */
  readonly defaultTimeoutSeconds?: number;
  /**
   * Also wait for `status.sync.status == Synced` (default true). Set false for apps whose targetRevision tracks a
   * branch: after a rollback ArgoCD reports them OutOfSync with the branch tip although the rollback worked.
   */
  readonly requireSynced?: boolean;
}

/** Thrown by dryRun() (which has no failure shape of its own); execute() never throws, it returns `failed`. */
export class ArgoCdExecutionError extends Error {
  override readonly name = 'ArgoCdExecutionError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const NO_SERVER_DRY_RUN =
  "ArgoCD has no side-effect-free server-side dry run for rollback (ApplicationRollbackRequest.dryRun still starts a " +
  'sync operation on the Application); this summary is computed from the application history only.';

/** `ARGOCD_URL`, `ARGOCD_TOKEN`, optional `ARGOCD_INSECURE`, `ARGOCD_CA_FILE`, `ARGOCD_REQUIRE_SYNCED`. Undefined when ARGOCD_URL is unset (integration off). */
export function argoCdConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ArgoCdExecutorConfig | undefined {
  const baseUrl = env.ARGOCD_URL?.trim();
  if (!baseUrl) return undefined;
  const token = env.ARGOCD_TOKEN?.trim();
  if (!token) throw new Error('ARGOCD_URL is set but ARGOCD_TOKEN is not');
  const flag = (value: string | undefined): boolean | undefined =>
    value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
  return {
    baseUrl,
    token,
    insecureSkipTlsVerify: flag(env.ARGOCD_INSECURE) ?? false,
    ...(env.ARGOCD_CA_FILE ? { caCertPem: readFileSync(env.ARGOCD_CA_FILE, 'utf8') } : {}),
    ...(flag(env.ARGOCD_REQUIRE_SYNCED) !== undefined ? { requireSynced: flag(env.ARGOCD_REQUIRE_SYNCED) } : {}),
  };
}

export function createArgoCdExecutor(config: ArgoCdExecutorConfig): ArgoCdRollbackExecutor {
  return new ArgoCdRollbackExecutor(new ArgoCdClient(config), config);
}

/**
 * `argocd.rollback` on target `argocd:<app>` / `argocd:<appNamespace>/<app>`, params `{historyId?, revision?, prune?,
 * timeoutSeconds?}`.
 *
 * Exactly once: the step `argocd.rollback-requested` is journaled before the POST. A later attempt that finds it
 * re-reads the application and re-posts only when there is no trace of the request (no pending/new operation to
 * the target revision, no newer history entry at it, target not deployed); then it waits as the first attempt would.
 */
export class ArgoCdRollbackExecutor implements ActionExecutor {
  readonly kinds = [ARGOCD_ROLLBACK_KIND] as const;
  private readonly pollIntervalMs: number;
  private readonly defaultTimeoutSeconds: number;
  private readonly requireSynced: boolean;

  constructor(
    private readonly client: ArgoCdClient,
    settings: Pick<ArgoCdExecutorConfig, 'pollIntervalMs' | 'defaultTimeoutSeconds' | 'requireSynced'> = {},
  ) {
    this.pollIntervalMs = settings.pollIntervalMs ?? 2_000;
    this.defaultTimeoutSeconds = settings.defaultTimeoutSeconds ?? 600;
    this.requireSynced = settings.requireSynced ?? true;
  }

  async dryRun(action: Action): Promise<DryRunResult> {
    let target: ArgoCdTarget;
    let app: ArgoCdApplication;
    let params;
    try {
      this.assertKind(action);
      target = parseArgoCdTarget(action.target);
      params = parseRollbackParams(action.params, this.defaultTimeoutSeconds);
      app = await this.client.getApplication(target.appName, target.appNamespace);
    } catch (error) {
      const failure = failureFrom(error);
      throw new ArgoCdExecutionError(failure.code, failure.error, failure.retryable);
    }
    const selection = selectRollbackTarget(app, params);
    if (selection.kind === 'impossible') throw new ArgoCdExecutionError(selection.code, selection.reason, false);
    const warnings = [
      ...(app.spec.syncPolicy?.automated ? ['auto-sync is enabled: ArgoCD refuses rollbacks until it is disabled'] : []),
      ...(operationInFlight(app) ? ['an operation is in progress: the rollback would have to wait'] : []),
    ];
    const common = {
      app: target.appName,
      ...(target.appNamespace ? { appNamespace: target.appNamespace } : {}),
      serverSideDryRun: false,
      note: NO_SERVER_DRY_RUN,
      prune: params.prune,
      warnings,
      syncStatus: app.status?.sync?.status ?? 'Unknown',
      healthStatus: app.status?.health?.status ?? 'Unknown',
    };
    if (selection.kind === 'already-there') {
      return {
        supported: true,
        summary: `would do nothing: ${target.appName} already runs ${shortRevision(selection.current.revision)} (history ${selection.current.id})`,
        details: { ...common, current: { historyId: selection.current.id, revision: selection.current.revision } },
      };
    }
    return {
      supported: true,
      summary: describeRollback(target.appName, selection.from, selection.to) + (params.prune ? ', pruning resources absent from it' : ''),
      details: {
        ...common,
        from: { historyId: selection.from.id, revision: selection.from.revision, deployedAt: selection.from.deployedAt ?? null },
        to: { historyId: selection.to.id, revision: selection.to.revision, deployedAt: selection.to.deployedAt ?? null },
      },
    };
  }

  async execute(action: Action, context: ExecutionContext): Promise<ExecutionOutcome> {
    try {
      return await this.run(action, context);
    } catch (error) {
      return failureFrom(error, context.signal);
    }
  }

  private async run(action: Action, context: ExecutionContext): Promise<ExecutionOutcome> {
    this.assertKind(action);
    const target = parseArgoCdTarget(action.target);
    const params = parseRollbackParams(action.params, this.defaultTimeoutSeconds);
    const recorded = [...context.journal.steps]
      .reverse()
      .filter((step) => step.name === ROLLBACK_REQUESTED_STEP)
      .map((step) => readRollbackRequested(step.detail, target))
      .find((detail): detail is RollbackRequestedDetail => detail !== undefined);

    const app = await this.client.getApplication(target.appName, target.appNamespace, context.signal);
    let step: RollbackRequestedDetail;
    let requestsSent = 0;
    let evidence: string | undefined;

    if (!recorded) {
      const selection = selectRollbackTarget(app, params);
      if (selection.kind === 'impossible') return failed(selection.code, selection.reason, false);
      if (selection.kind === 'already-there') {
        return {
          status: 'succeeded',
          result: { ...appRef(target), changed: false, historyId: selection.current.id, revision: selection.current.revision },
        };
      }
      if (app.spec.syncPolicy?.automated) {
        return failed('ARGOCD.AUTO_SYNC_ENABLED', `${target.appName} has auto-sync enabled; ArgoCD refuses rollbacks until it is disabled`, false);
      }
      if (operationInFlight(app)) return failed('ARGOCD.OPERATION_IN_PROGRESS', `${target.appName} already has an operation in progress`, true);
      step = rollbackRequestedDetail(
        {
          app: target.appName,
          ...(target.appNamespace ? { appNamespace: target.appNamespace } : {}),
          historyId: selection.to.id,
          revision: selection.to.revision,
          previousHistoryId: selection.from.id,
          previousRevision: selection.from.revision,
          prune: params.prune,
          requestedAt: new Date().toISOString(),
        },
        app,
      );
      // Durable BEFORE the external call: a retry after a crash past this line reconciles instead of re-posting blindly.
      await context.journal.record({ name: ROLLBACK_REQUESTED_STEP, detail: { ...step } });
      await this.postRollback(step, context.signal);
      requestsSent++;
    } else {
      step = recorded;
      evidence = evidenceOfEarlierRollback(app, step);
      if (!evidence) {
        if (operationInFlight(app)) return failed('ARGOCD.OPERATION_IN_PROGRESS', `${target.appName} has another operation in progress`, true);
        await this.postRollback(step, context.signal);
        requestsSent++;
      }
    }

    const progress = await this.waitForRollback(target, step, params.timeoutSeconds, context);
    if (progress.state === 'failed') return failed(progress.code, progress.message, false);
    if (progress.state === 'waiting') {
      return failed('ARGOCD.TIMEOUT', `${target.appName} did not finish rolling back to ${shortRevision(step.revision)} within ${params.timeoutSeconds}s (${progress.why})`, false);
    }
    return {
      status: 'succeeded',
      result: {
        ...appRef(target),
        changed: true,
        historyId: step.historyId,
        revision: step.revision,
        previousHistoryId: step.previousHistoryId,
        previousRevision: step.previousRevision,
        syncStatus: progress.syncStatus,
        healthStatus: progress.healthStatus,
        ...(progress.phase ? { operationPhase: progress.phase } : {}),
        rollbackRequestsSent: requestsSent,
        ...(evidence ? { reconciledEarlierRequest: evidence } : {}),
      },
      // Roll forward to what was live before; the entry stays in ArgoCD's history (default limit 10 entries).
      inverse: { kind: ARGOCD_ROLLBACK_KIND, target: action.target, params: { historyId: step.previousHistoryId, revision: step.previousRevision, prune: step.prune } },
    };
  }

  private async postRollback(step: RollbackRequestedDetail, signal: AbortSignal): Promise<void> {
    await this.client.rollback(
      { name: step.app, id: step.historyId, prune: step.prune, dryRun: false, ...(step.appNamespace ? { appNamespace: step.appNamespace } : {}) },
      signal,
    );
  }

  /** Polls until done, failed, or the deadline (returns the last `waiting` then). Transient read errors are tolerated. */
  private async waitForRollback(target: ArgoCdTarget, step: RollbackRequestedDetail, timeoutSeconds: number, context: ExecutionContext): Promise<RollbackProgress> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    let last: RollbackProgress = { state: 'waiting', why: 'not read yet' };
    for (;;) {
      if (context.signal.aborted) throw new ArgoCdAbortedError('aborted while waiting for the rollback');
      try {
        const app = await this.client.getApplication(target.appName, target.appNamespace, context.signal);
        last = evaluateRollbackProgress(app, step, this.requireSynced);
        if (last.state !== 'waiting') return last;
      } catch (error) {
        if (!isTransient(error)) throw error;
        last = { state: 'waiting', why: error instanceof Error ? error.message : String(error) };
      }
      await context.heartbeat();
      const remaining = deadline - Date.now();
      if (remaining <= 0) return last;
      await sleep(Math.min(this.pollIntervalMs, remaining), context.signal);
    }
  }

  private assertKind(action: Action): void {
    if (action.kind !== ARGOCD_ROLLBACK_KIND) throw new InvalidArgoCdActionError(`kind ${action.kind} is not handled by the ArgoCD executor`);
  }
}

const appRef = (target: ArgoCdTarget) => ({ app: target.appName, ...(target.appNamespace ? { appNamespace: target.appNamespace } : {}) });

const failed = (code: string, error: string, retryable: boolean): ExecutionOutcome => ({ status: 'failed', code, error, retryable });

const isTransient = (error: unknown): boolean =>
  error instanceof ArgoCdNetworkError || (error instanceof ArgoCdApiError && (error.status === 409 || error.status === 429 || error.status >= 500));

/** Error mapping: 401/403 and 404 are final; 409, 429, 5xx and network errors are worth another attempt. */
export function failureFrom(error: unknown, signal?: AbortSignal): Extract<ExecutionOutcome, { status: 'failed' }> {
  const out = (code: string, message: string, retryable: boolean) => ({ status: 'failed' as const, code, error: message, retryable });
  if (error instanceof InvalidArgoCdActionError) return out('ARGOCD.INVALID_ACTION', error.message, false);
  if (error instanceof ArgoCdAbortedError || signal?.aborted) return out('ARGOCD.ABORTED', error instanceof Error ? error.message : 'aborted', true);
  if (error instanceof ArgoCdNetworkError) return out('ARGOCD.UNAVAILABLE', error.message, true);
  if (error instanceof ArgoCdApiError) {
    if (error.status === 401 || error.status === 403) return out('ARGOCD.UNAUTHORIZED', error.message, false);
    if (error.status === 404) return out('ARGOCD.APP_NOT_FOUND', error.message, false);
    if (error.status === 409) return out('ARGOCD.CONFLICT', error.message, true);
    if (error.status === 429) return out('ARGOCD.THROTTLED', error.message, true);
    if (error.status >= 500) return out('ARGOCD.UNAVAILABLE', error.message, true);
    if (/another operation is already in progress/i.test(error.message)) return out('ARGOCD.OPERATION_IN_PROGRESS', error.message, true);
    return out('ARGOCD.REJECTED', error.message, false);
  }
  if (error instanceof ArgoCdExecutionError) return out(error.code, error.message, error.retryable);
  // Unknown (e.g. the heartbeat failed): retrying is safe, the journal makes the next attempt reconcile.
  return out('ARGOCD.UNEXPECTED', error instanceof Error ? error.message : String(error), true);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
