import type { Action, ActionExecutor, DryRunResult, ExecutionContext, ExecutionOutcome, ExecutionStep } from '@vigil/executors';
import { loadClientNode, type ClientNodeModule } from './client-node';
import { diffJson, summariseChanges, toJson, type JsonObject } from './json-merge';
import {
  InvalidKubernetesActionError,
  K8S_CORDON_NODE,
  K8S_DRAIN_NODE,
  K8S_ROLLBACK,
  K8S_ROLLOUT_RESTART,
  K8S_SCALE,
  K8S_UNCORDON_NODE,
  KUBERNETES_ACTION_KINDS,
  parseKubernetesAction,
  type DeploymentRef,
  type KubernetesAction,
} from './kubernetes-actions';
import { KubernetesApi, KubernetesApiError, KubernetesNetworkError, makeKubeConfig, type KubernetesConnection } from './kubernetes-api';
import {
  EXECUTION_ID_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  labelSelector,
  ownedReplicaSets,
  planDrain,
  podName,
  selectRollbackReplicaSet,
  templatePatch,
  templatesEqual,
  type DeploymentJson,
  type PodJson,
  type PodTemplate,
} from './kubernetes-objects';

export interface KubernetesExecutorConfig {
  readonly connection: KubernetesConnection;
  /** When set, targets naming a cluster (`k8s:<cluster>/<ns>/deployment/<name>`) must name this one. */
  readonly clusterName?: string;
  /** Re-reads after a 409 Conflict before giving up with a retryable K8S.CONFLICT; default 5. */
  readonly conflictRetries?: number;
  /** Drain: wait between evictions refused by a PodDisruptionBudget (429); default 5000 ms, like kubectl. */
  readonly evictionRetryIntervalMs?: number;
  /** Drain: how often to check that evicted pods are gone; default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Drain timeout when params.timeoutSeconds is absent; default 300 s. */
  readonly defaultDrainTimeoutSeconds?: number;
  /** fieldManager sent with patches; default `vigil`. */
  readonly fieldManager?: string;
  /** The loaded @kubernetes/client-node module (tests); default: loaded on first use. */
  readonly clientNode?: ClientNodeModule;
}

/** Thrown by dryRun() (which has no failure shape of its own); execute() never throws, it returns `failed`. */
export class KubernetesExecutionError extends Error {
  override readonly name = 'KubernetesExecutionError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export function createKubernetesExecutor(config: KubernetesExecutorConfig): KubernetesExecutor {
  const lib = config.clientNode ?? loadClientNode();
  return new KubernetesExecutor(new KubernetesApi(makeKubeConfig(config.connection, lib), lib, config.fieldManager ?? 'vigil'), config);
}

export const STEP_SCALE = 'k8s.scale-requested';
export const STEP_RESTART = 'k8s.rollout-restart-requested';
export const STEP_ROLLBACK = 'k8s.rollback-requested';
export const STEP_CORDON = 'k8s.cordon-requested';
export const STEP_UNCORDON = 'k8s.uncordon-requested';
export const STEP_DRAIN = 'k8s.drain-requested';

type Succeeded = Extract<ExecutionOutcome, { status: 'succeeded' }>;

/**
 * `k8s.scale`, `k8s.rollout-restart`, `k8s.rollback`, `k8s.cordon-node`, `k8s.uncordon-node`, `k8s.drain-node`.
 * Every write carries the object's resourceVersion (409 → re-read and retry, bounded). Each kind journals its step
 * before the write, with the state seen before it (previous replicas / revision / schedulability), so a retry after
 * a crash reports the true "before" and does not redo a change the server already has.
 */
export class KubernetesExecutor implements ActionExecutor {
  readonly kinds = KUBERNETES_ACTION_KINDS;
  private readonly conflictRetries: number;
  private readonly evictionRetryIntervalMs: number;
  private readonly pollIntervalMs: number;
  private readonly defaultDrainTimeoutSeconds: number;

  constructor(
    private readonly api: KubernetesApi,
    private readonly config: Omit<KubernetesExecutorConfig, 'connection'> = {},
  ) {
    this.conflictRetries = config.conflictRetries ?? 5;
    this.evictionRetryIntervalMs = config.evictionRetryIntervalMs ?? 5_000;
    this.pollIntervalMs = config.pollIntervalMs ?? 1_000;
    this.defaultDrainTimeoutSeconds = config.defaultDrainTimeoutSeconds ?? 300;
  }

  // ---------------------------------------------------------------- dry run (server-side, dryRun=All)

  async dryRun(action: Action): Promise<DryRunResult> {
    try {
      return await this.plan(this.parse(action));
    } catch (error) {
      const failure = failureFrom(error);
      throw new KubernetesExecutionError(failure.code, failure.error, failure.retryable);
    }
  }

  private async plan(action: KubernetesAction): Promise<DryRunResult> {
    switch (action.kind) {
      case K8S_SCALE: {
        const { namespace, name } = action.deployment;
        const deployment = await this.api.readDeployment(namespace, name);
        const before = deployment.spec?.replicas ?? 1;
        const after = await this.api.patchDeploymentScale(namespace, name, { spec: { replicas: action.replicas } }, true);
        const replicas = after.spec?.replicas ?? action.replicas;
        return serverSide(`scale ${namespace}/${name}: replicas ${before} → ${replicas}${before === replicas ? ' (no change)' : ''}`, { before, after: replicas });
      }
      case K8S_ROLLOUT_RESTART: {
        const { namespace, name } = action.deployment;
        const deployment = await this.api.readDeployment(namespace, name);
        const after = await this.api.patchDeployment(namespace, name, restartPatch(deployment, 'dry-run', 'dry-run'), 'strategic', true);
        const changes = diffJson(toJson(deployment.spec?.template ?? {}), toJson(after.spec?.template ?? {}), 'spec.template');
        return serverSide(`restart ${namespace}/${name}: rolls its ${deployment.spec?.replicas ?? 1} pod(s); ${summariseChanges(changes)}`, {
          replicas: deployment.spec?.replicas ?? 1,
          changes: changes.map((c) => ({ path: c.path, before: c.before ?? null, after: c.after ?? null })),
        });
      }
      case K8S_ROLLBACK: {
        const { namespace, name } = action.deployment;
        const { deployment, choice } = await this.chooseRollback(action.deployment, action.toRevision);
        if (choice.kind === 'impossible') throw new KubernetesExecutionError(choice.code, choice.reason, false);
        if (choice.kind === 'already-there') return serverSide(`roll back ${namespace}/${name}: nothing to do, revision ${choice.current.revision} is live`, { current: { ...choice.current } });
        const after = await this.api.patchDeployment(namespace, name, templatePatch(deployment, choice.template), 'merge', true);
        const changes = diffJson(toJson(deployment.spec?.template ?? {}), toJson(after.spec?.template ?? {}), 'spec.template');
        return serverSide(`roll back ${namespace}/${name} from revision ${choice.from.revision} to revision ${choice.to.revision}: ${summariseChanges(changes)}`, {
          from: { ...choice.from },
          to: { ...choice.to },
          changes: changes.map((c) => ({ path: c.path, before: c.before ?? null, after: c.after ?? null })),
        });
      }
      case K8S_CORDON_NODE:
      case K8S_UNCORDON_NODE: {
        const desired = action.kind === K8S_CORDON_NODE;
        const node = await this.api.readNode(action.node);
        const before = node.spec?.unschedulable === true;
        const after = await this.api.patchNode(action.node, { spec: { unschedulable: desired ? true : null } }, true);
        const verb = desired ? 'cordon' : 'uncordon';
        return serverSide(`${verb} node ${action.node}: spec.unschedulable ${before} → ${after.spec?.unschedulable === true}`, { before, after: after.spec?.unschedulable === true });
      }
      case K8S_DRAIN_NODE: {
        const node = await this.api.readNode(action.node);
        const wasUnschedulable = node.spec?.unschedulable === true;
        await this.api.patchNode(action.node, { spec: { unschedulable: true } }, true);
        const drain = planDrain(await this.api.listPodsOnNode(action.node));
        const blocked: string[] = [];
        await Promise.all(
          drain.evict.map(async (pod) => {
            try {
              await this.api.evictPod(pod.metadata.namespace ?? '', pod.metadata.name ?? '', { dryRun: true });
            } catch (error) {
              if (error instanceof KubernetesApiError && error.status === 429) blocked.push(podName(pod));
              else if (!(error instanceof KubernetesApiError && error.status === 404)) throw error;
            }
          }),
        );
        const parts = [
          wasUnschedulable ? `node ${action.node} is already cordoned` : `cordon node ${action.node}`,
          `evict ${drain.evict.length} pod(s)${drain.evict.length ? ` (${drain.evict.map(podName).join(', ')})` : ''}`,
          ...(drain.skipped.length ? [`skip ${drain.skipped.length} (${drain.skipped.map((s) => `${s.pod}: ${s.reason}`).join(', ')})`] : []),
          ...(blocked.length ? [`${blocked.length} currently blocked by a PodDisruptionBudget (${blocked.sort().join(', ')})`] : []),
        ];
        return serverSide(`drain: ${parts.join('; ')}`, {
          node: action.node,
          wasUnschedulable,
          evict: drain.evict.map(podName),
          skipped: drain.skipped.map((s) => ({ ...s })),
          blockedByDisruptionBudget: blocked,
        });
      }
    }
  }

  // ---------------------------------------------------------------- execute

  async execute(action: Action, context: ExecutionContext): Promise<ExecutionOutcome> {
    try {
      const parsed = this.parse(action);
      switch (parsed.kind) {
        case K8S_SCALE:
          return await this.scale(action, parsed.deployment, parsed.replicas, context);
        case K8S_ROLLOUT_RESTART:
          return await this.restart(parsed.deployment, context);
        case K8S_ROLLBACK:
          return await this.rollback(action, parsed.deployment, parsed.toRevision, context);
        case K8S_CORDON_NODE:
        case K8S_UNCORDON_NODE: {
          const desired = parsed.kind === K8S_CORDON_NODE;
          const outcome = await this.setUnschedulable(parsed.node, desired, context);
          const inverseKind = desired ? K8S_UNCORDON_NODE : K8S_CORDON_NODE;
          return { status: 'succeeded', result: outcome, ...(outcome.changed ? { inverse: { kind: inverseKind, target: action.target, params: {} } } : {}) };
        }
        case K8S_DRAIN_NODE:
          return await this.drain(action, parsed.node, parsed.timeoutSeconds ?? this.defaultDrainTimeoutSeconds, parsed.gracePeriodSeconds, context);
      }
    } catch (error) {
      return failureFrom(error, context.signal);
    }
  }

  private async scale(action: Action, ref: DeploymentRef, replicas: number, context: ExecutionContext): Promise<Succeeded> {
    const { namespace, name } = ref;
    let step = findStep(context, STEP_SCALE, (d) => d.namespace === namespace && d.deployment === name && typeof d.previousReplicas === 'number');
    return this.withConflictRetry(async () => {
      checkAbort(context);
      const deployment = await this.api.readDeployment(namespace, name);
      const current = deployment.spec?.replicas ?? 1;
      const previousReplicas = (step?.previousReplicas as number | undefined) ?? current;
      if (current !== replicas) {
        if (!step) {
          step = { namespace, deployment: name, previousReplicas: current, replicas };
          await context.journal.record({ name: STEP_SCALE, detail: step });
        }
        await this.api.patchDeploymentScale(namespace, name, { metadata: { resourceVersion: deployment.metadata.resourceVersion ?? null }, spec: { replicas } }, false);
      }
      return {
        status: 'succeeded' as const,
        result: { namespace, deployment: name, previousReplicas, replicas, changed: previousReplicas !== replicas },
        ...(previousReplicas !== replicas ? { inverse: { kind: K8S_SCALE, target: action.target, params: { replicas: previousReplicas } } } : {}),
      };
    });
  }

  /** Idempotent per execution: the pod template carries `vigil.dev/execution-id`; when it already names this execution, nothing is sent. */
  private async restart(ref: DeploymentRef, context: ExecutionContext): Promise<Succeeded> {
    const { namespace, name } = ref;
    let step = findStep(context, STEP_RESTART, (d) => d.namespace === namespace && d.deployment === name && typeof d.restartedAt === 'string');
    return this.withConflictRetry(async () => {
      checkAbort(context);
      const deployment = await this.api.readDeployment(namespace, name);
      const annotations = deployment.spec?.template?.metadata?.annotations ?? {};
      if (annotations[EXECUTION_ID_ANNOTATION] === context.executionId) {
        return { status: 'succeeded' as const, result: { namespace, deployment: name, restartedAt: annotations[RESTARTED_AT_ANNOTATION] ?? null, alreadyApplied: true } };
      }
      const restartedAt = (step?.restartedAt as string | undefined) ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (!step) {
        step = { namespace, deployment: name, restartedAt };
        await context.journal.record({ name: STEP_RESTART, detail: step });
      }
      await this.api.patchDeployment(namespace, name, restartPatch(deployment, restartedAt, context.executionId), 'strategic', false);
      return { status: 'succeeded' as const, result: { namespace, deployment: name, restartedAt, alreadyApplied: false } };
    });
  }

  private async rollback(action: Action, ref: DeploymentRef, toRevision: number | undefined, context: ExecutionContext): Promise<ExecutionOutcome> {
    const { namespace, name } = ref;
    let step = findStep(context, STEP_ROLLBACK, (d) => d.namespace === namespace && d.deployment === name && typeof d.toReplicaSet === 'string');
    return this.withConflictRetry(async (): Promise<ExecutionOutcome> => {
      checkAbort(context);
      const { deployment, replicaSets, choice } = await this.chooseRollback(ref, toRevision);
      let from: { revision: number; replicaSet: string };
      let to: { revision: number; replicaSet: string };
      let template: PodTemplate;
      let reconciled = false;
      if (step) {
        // A previous attempt chose the target; after a rollback "previous" means something else, so never re-choose.
        const target = replicaSets.find((rs) => rs.metadata.name === step?.toReplicaSet);
        if (!target) return failed('K8S.REVISION_NOT_FOUND', `ReplicaSet ${step.toReplicaSet} of ${namespace}/${name} no longer exists`, false);
        from = { revision: step.fromRevision as number, replicaSet: step.fromReplicaSet as string };
        to = { revision: step.toRevision as number, replicaSet: step.toReplicaSet as string };
        template = target.spec?.template ?? {};
        reconciled = templatesEqual(deployment.spec?.template, template);
      } else {
        if (choice.kind === 'impossible') return failed(choice.code, choice.reason, false);
        if (choice.kind === 'already-there') {
          return { status: 'succeeded', result: { namespace, deployment: name, revision: choice.current.revision, replicaSet: choice.current.replicaSet, changed: false } };
        }
        ({ from, to, template } = choice);
        step = { namespace, deployment: name, fromRevision: from.revision, fromReplicaSet: from.replicaSet, toRevision: to.revision, toReplicaSet: to.replicaSet };
        await context.journal.record({ name: STEP_ROLLBACK, detail: step });
      }
      if (!reconciled) {
        if (deployment.spec?.paused) return failed('K8S.DEPLOYMENT_PAUSED', `${namespace}/${name} is paused; resume it before rolling back`, false);
        await this.api.patchDeployment(namespace, name, templatePatch(deployment, template), 'merge', false);
      }
      return {
        status: 'succeeded',
        result: {
          namespace,
          deployment: name,
          changed: true,
          revision: to.revision,
          replicaSet: to.replicaSet,
          previousRevision: from.revision,
          previousReplicaSet: from.replicaSet,
          ...(reconciled ? { reconciledEarlierRequest: true } : {}),
        },
        // The ReplicaSet that was live keeps its revision number, so rolling "back" to it rolls forward.
        inverse: { kind: K8S_ROLLBACK, target: action.target, params: { revision: from.revision } },
      };
    });
  }

  private async chooseRollback(ref: DeploymentRef, toRevision: number | undefined) {
    const deployment = await this.api.readDeployment(ref.namespace, ref.name);
    const replicaSets = ownedReplicaSets(deployment, await this.api.listReplicaSets(ref.namespace, labelSelector(deployment)));
    return { deployment, replicaSets, choice: selectRollbackReplicaSet(deployment, replicaSets, toRevision) };
  }

  private async setUnschedulable(node: string, desired: boolean, context: ExecutionContext): Promise<{ node: string; wasUnschedulable: boolean; unschedulable: boolean; changed: boolean }> {
    const stepName = desired ? STEP_CORDON : STEP_UNCORDON;
    let step = findStep(context, stepName, (d) => d.node === node && typeof d.wasUnschedulable === 'boolean');
    return this.withConflictRetry(async () => {
      checkAbort(context);
      const current = await this.api.readNode(node);
      const now = current.spec?.unschedulable === true;
      const wasUnschedulable = (step?.wasUnschedulable as boolean | undefined) ?? now;
      if (now !== desired) {
        if (!step) {
          step = { node, wasUnschedulable };
          await context.journal.record({ name: stepName, detail: step });
        }
        await this.api.patchNode(node, { metadata: { resourceVersion: current.metadata.resourceVersion ?? null }, spec: { unschedulable: desired ? true : null } }, false);
      }
      return { node, wasUnschedulable, unschedulable: desired, changed: wasUnschedulable !== desired };
    });
  }

  /** Cordon, then evict (policy/v1 Eviction) every pod but DaemonSet-managed and mirror pods, retrying PDB refusals (429) until the deadline, then wait until they are gone. */
  private async drain(action: Action, node: string, timeoutSeconds: number, gracePeriodSeconds: number | undefined, context: ExecutionContext): Promise<ExecutionOutcome> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    const cordon = await this.setUnschedulable(node, true, context);
    const plan = planDrain(await this.api.listPodsOnNode(node));
    const names = plan.evict.map(podName);
    if (!findStep(context, STEP_DRAIN, (d) => d.node === node)) await context.journal.record({ name: STEP_DRAIN, detail: { node, pods: names } });

    const outcomes = await Promise.all(plan.evict.map((pod) => this.evictWithRetry(pod, deadline, gracePeriodSeconds, context)));
    const blocked = outcomes.filter((o): o is string => typeof o === 'string');
    if (blocked.length > 0) {
      return failed('K8S.TIMEOUT', `draining ${node}: a PodDisruptionBudget still refuses evicting ${blocked.join(', ')} after ${timeoutSeconds}s`, false);
    }
    const evicted = new Set(names);
    for (;;) {
      checkAbort(context);
      const remaining = (await this.api.listPodsOnNode(node)).map(podName).filter((pod) => evicted.has(pod));
      if (remaining.length === 0) break;
      if (Date.now() >= deadline) return failed('K8S.TIMEOUT', `draining ${node}: ${remaining.join(', ')} still present after ${timeoutSeconds}s`, false);
      await context.heartbeat();
      await sleep(Math.min(this.pollIntervalMs, Math.max(0, deadline - Date.now())), context.signal);
    }
    return {
      status: 'succeeded',
      result: { node, wasUnschedulable: cordon.wasUnschedulable, evicted: names, skipped: plan.skipped.map((s) => ({ ...s })) },
      ...(cordon.wasUnschedulable ? {} : { inverse: { kind: K8S_UNCORDON_NODE, target: action.target, params: {} } }),
    };
  }

  /** Resolves undefined once evicted (or already gone), or the pod's name when a PDB still refuses at the deadline. */
  private async evictWithRetry(pod: PodJson, deadline: number, gracePeriodSeconds: number | undefined, context: ExecutionContext): Promise<string | undefined> {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    for (;;) {
      checkAbort(context);
      try {
        await this.api.evictPod(namespace, name, { dryRun: false, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) });
        return undefined;
      } catch (error) {
        if (error instanceof KubernetesApiError && error.status === 404) return undefined;
        if (!(error instanceof KubernetesApiError && error.status === 429)) throw error;
      }
      if (Date.now() + this.evictionRetryIntervalMs > deadline) return `${namespace}/${name}`;
      await context.heartbeat();
      await sleep(this.evictionRetryIntervalMs, context.signal);
    }
  }

  private async withConflictRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof KubernetesApiError && error.status === 409) || tries >= this.conflictRetries) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * (tries + 1)));
      }
    }
  }

  private parse(action: Action): KubernetesAction {
    const parsed = parseKubernetesAction(action);
    const cluster = 'deployment' in parsed ? parsed.deployment.cluster : undefined;
    if (cluster !== undefined && this.config.clusterName !== undefined && cluster !== this.config.clusterName) {
      throw new InvalidKubernetesActionError(`target names cluster ${cluster}, this executor is connected to ${this.config.clusterName}`);
    }
    return parsed;
  }
}

function restartPatch(deployment: DeploymentJson, restartedAt: string, executionId: string): JsonObject {
  // What `kubectl rollout restart` sends (strategic merge on the template annotations), plus our execution id.
  return {
    metadata: { resourceVersion: deployment.metadata.resourceVersion ?? null },
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt, [EXECUTION_ID_ANNOTATION]: executionId } } } },
  };
}

function serverSide(summary: string, details: Record<string, unknown>): DryRunResult {
  return { supported: true, summary, details: { serverSideDryRun: true, ...details } };
}

function findStep(context: ExecutionContext, name: string, matches: (detail: Readonly<Record<string, unknown>>) => boolean): Readonly<Record<string, unknown>> | undefined {
  return [...context.journal.steps].reverse().find((step: ExecutionStep) => step.name === name && matches(step.detail))?.detail;
}

class AbortedError extends Error {}

function checkAbort(context: ExecutionContext): void {
  if (context.signal.aborted) throw new AbortedError('aborted');
}

const failed = (code: string, error: string, retryable: boolean): ExecutionOutcome => ({ status: 'failed', code, error, retryable });

/** 401/403 and 404 are final; 409 (after the bounded re-reads), 429, 5xx and network errors are worth another attempt. */
export function failureFrom(error: unknown, signal?: AbortSignal): Extract<ExecutionOutcome, { status: 'failed' }> {
  const out = (code: string, message: string, retryable: boolean) => ({ status: 'failed' as const, code, error: message, retryable });
  if (error instanceof InvalidKubernetesActionError) return out('K8S.INVALID_ACTION', error.message, false);
  if (error instanceof KubernetesExecutionError) return out(error.code, error.message, error.retryable);
  if (error instanceof AbortedError || signal?.aborted) return out('K8S.ABORTED', error instanceof Error ? error.message : 'aborted', true);
  if (error instanceof KubernetesNetworkError) return out('K8S.UNAVAILABLE', error.message, true);
  if (error instanceof KubernetesApiError) {
    if (error.status === 401 || error.status === 403) return out('K8S.UNAUTHORIZED', error.message, false);
    if (error.status === 404) return out('K8S.NOT_FOUND', error.message, false);
    if (error.status === 409) return out('K8S.CONFLICT', error.message, true);
    if (error.status === 429) return out('K8S.THROTTLED', error.message, true);
    if (error.status >= 500) return out('K8S.SERVER_ERROR', error.message, true);
    return out('K8S.INVALID', error.message, false);
  }
  return out('K8S.UNEXPECTED', error instanceof Error ? error.message : String(error), true);
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
