/** Pure parsing of Kubernetes actions: targets and params, one discriminated union per kind. */
import type { Action } from '@vigil/executors';

export const K8S_SCALE = 'k8s.scale';
export const K8S_ROLLOUT_RESTART = 'k8s.rollout-restart';
export const K8S_ROLLBACK = 'k8s.rollback';
export const K8S_CORDON_NODE = 'k8s.cordon-node';
export const K8S_UNCORDON_NODE = 'k8s.uncordon-node';
export const K8S_DRAIN_NODE = 'k8s.drain-node';
export const KUBERNETES_ACTION_KINDS = [K8S_SCALE, K8S_ROLLOUT_RESTART, K8S_ROLLBACK, K8S_CORDON_NODE, K8S_UNCORDON_NODE, K8S_DRAIN_NODE] as const;
export type KubernetesActionKind = (typeof KUBERNETES_ACTION_KINDS)[number];

export class InvalidKubernetesActionError extends Error {
  override readonly name = 'InvalidKubernetesActionError';
}

export interface DeploymentRef {
  /** Present when the target names a cluster (`k8s:<cluster>/<namespace>/deployment/<name>`). */
  readonly cluster?: string;
  readonly namespace: string;
  readonly name: string;
}

export type KubernetesAction =
  | { readonly kind: typeof K8S_SCALE; readonly deployment: DeploymentRef; readonly replicas: number }
  | { readonly kind: typeof K8S_ROLLOUT_RESTART; readonly deployment: DeploymentRef }
  | { readonly kind: typeof K8S_ROLLBACK; readonly deployment: DeploymentRef; readonly toRevision?: number }
  | { readonly kind: typeof K8S_CORDON_NODE | typeof K8S_UNCORDON_NODE; readonly node: string }
  | { readonly kind: typeof K8S_DRAIN_NODE; readonly node: string; readonly timeoutSeconds?: number; readonly gracePeriodSeconds?: number };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DEPLOYMENT_KINDS = new Set(['deployment', 'deployments', 'deployment.apps', 'deploy']);

/**
 * Deployment targets:
 * - `k8s:<namespace>/<deployment>`
 * - `k8s:<namespace>/deployment/<deployment>`
 * - `k8s:<cluster>/<namespace>/deployment/<deployment>` (the cluster must be the one the executor is configured for)
 */
export function parseDeploymentTarget(target: string): DeploymentRef {
  const match = /^k8s:(.+)$/.exec(target.trim());
  const parts = match ? match[1].split('/') : [];
  let ref: DeploymentRef | undefined;
  if (parts.length === 2) ref = { namespace: parts[0], name: parts[1] };
  else if (parts.length === 3 && DEPLOYMENT_KINDS.has(parts[1].toLowerCase())) ref = { namespace: parts[0], name: parts[2] };
  else if (parts.length === 4 && DEPLOYMENT_KINDS.has(parts[2].toLowerCase())) ref = { cluster: parts[0], namespace: parts[1], name: parts[3] };
  if (!ref) throw new InvalidKubernetesActionError(`target "${target}" is not k8s:<namespace>/<deployment> (or k8s:[<cluster>/]<namespace>/deployment/<name>)`);
  if (!DNS_LABEL.test(ref.namespace)) throw new InvalidKubernetesActionError(`"${ref.namespace}" is not a valid namespace`);
  if (!DNS_SUBDOMAIN.test(ref.name)) throw new InvalidKubernetesActionError(`"${ref.name}" is not a valid deployment name`);
  return ref;
}

/** `node:<name>`. */
export function parseNodeTarget(target: string): string {
  const match = /^node:([^/]+)$/.exec(target.trim());
  if (!match || !DNS_SUBDOMAIN.test(match[1])) throw new InvalidKubernetesActionError(`target "${target}" is not node:<name>`);
  return match[1];
}

function onlyParams(params: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  const unknown = Object.keys(params).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new InvalidKubernetesActionError(`unknown params: ${unknown.join(', ')}`);
}

const isInteger = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

export function parseKubernetesAction(action: Action): KubernetesAction {
  const { params } = action;
  switch (action.kind) {
    case K8S_SCALE: {
      onlyParams(params, ['replicas']);
      if (!isInteger(params.replicas, 0, 10_000)) throw new InvalidKubernetesActionError('params.replicas must be an integer in [0, 10000]');
      return { kind: K8S_SCALE, deployment: parseDeploymentTarget(action.target), replicas: params.replicas };
    }
    case K8S_ROLLOUT_RESTART:
      onlyParams(params, []);
      return { kind: K8S_ROLLOUT_RESTART, deployment: parseDeploymentTarget(action.target) };
    case K8S_ROLLBACK: {
      // `revision` is what an inverse action carries; `toRevision` mirrors `kubectl rollout undo --to-revision`.
      onlyParams(params, ['revision', 'toRevision']);
      const revision = params.revision ?? params.toRevision;
      if (params.revision !== undefined && params.toRevision !== undefined && params.revision !== params.toRevision) {
        throw new InvalidKubernetesActionError('params.revision and params.toRevision disagree');
      }
      if (revision !== undefined && !isInteger(revision, 1, Number.MAX_SAFE_INTEGER)) throw new InvalidKubernetesActionError('params.revision must be a positive integer');
      return { kind: K8S_ROLLBACK, deployment: parseDeploymentTarget(action.target), ...(revision !== undefined ? { toRevision: revision } : {}) };
    }
    case K8S_CORDON_NODE:
    case K8S_UNCORDON_NODE:
      onlyParams(params, []);
      return { kind: action.kind, node: parseNodeTarget(action.target) };
    case K8S_DRAIN_NODE: {
      onlyParams(params, ['timeoutSeconds', 'gracePeriodSeconds']);
      const { timeoutSeconds, gracePeriodSeconds } = params;
      if (timeoutSeconds !== undefined && !(typeof timeoutSeconds === 'number' && timeoutSeconds > 0 && timeoutSeconds <= 86_400)) {
        throw new InvalidKubernetesActionError('params.timeoutSeconds must be a number in (0, 86400]');
      }
      if (gracePeriodSeconds !== undefined && !isInteger(gracePeriodSeconds, 0, 86_400)) throw new InvalidKubernetesActionError('params.gracePeriodSeconds must be an integer in [0, 86400]');
      return {
        kind: K8S_DRAIN_NODE,
        node: parseNodeTarget(action.target),
        ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
      };
    }
    default:
      throw new InvalidKubernetesActionError(`kind ${action.kind} is not handled by the Kubernetes executor`);
  }
}
