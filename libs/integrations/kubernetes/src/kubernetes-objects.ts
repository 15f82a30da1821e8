/**
 * Plain-JSON views of the few Kubernetes objects the executor reads, and the pure decisions over them:
 * ReplicaSet revision history (as `kubectl rollout undo` reads it) and which pods a drain evicts.
 */
import { createMergePatch, jsonEqual, toJson, type Json, type JsonObject } from './json-merge';

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly { readonly apiVersion?: string; readonly kind: string; readonly name: string; readonly uid: string; readonly controller?: boolean }[];
  readonly deletionTimestamp?: string;
}

export interface PodTemplate {
  readonly metadata?: ObjectMeta;
  readonly spec?: JsonObject;
}

export interface DeploymentJson {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly replicas?: number;
    readonly paused?: boolean;
    readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> };
    readonly template?: PodTemplate;
  };
  readonly status?: { readonly replicas?: number; readonly readyReplicas?: number; readonly updatedReplicas?: number };
}

export interface ReplicaSetJson {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly replicas?: number; readonly template?: PodTemplate };
}

export interface PodJson {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

export interface NodeJson {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly unschedulable?: boolean };
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const EXECUTION_ID_ANNOTATION = 'vigil.dev/execution-id';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export function revisionOf(object: { readonly metadata: ObjectMeta }): number | undefined {
  const value = object.metadata.annotations?.[REVISION_ANNOTATION];
  const revision = value === undefined ? NaN : Number(value);
  return Number.isInteger(revision) ? revision : undefined;
}

/** A pod template without the controller-added `pod-template-hash` label, as plain JSON. */
export function comparableTemplate(template: PodTemplate | undefined): Json {
  const json = toJson(template ?? {}) as JsonObject;
  const metadata = (json.metadata ?? {}) as JsonObject;
  const labels = { ...((metadata.labels ?? {}) as JsonObject) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  const cleanMetadata: JsonObject = { ...metadata };
  if (Object.keys(labels).length > 0) cleanMetadata.labels = labels;
  else delete cleanMetadata.labels;
  const result: JsonObject = { ...json };
  if (Object.keys(cleanMetadata).length > 0) result.metadata = cleanMetadata;
  else delete result.metadata;
  return result;
}

export const templatesEqual = (a: PodTemplate | undefined, b: PodTemplate | undefined): boolean => jsonEqual(comparableTemplate(a), comparableTemplate(b));

/** ReplicaSets whose controller is this Deployment. */
export function ownedReplicaSets(deployment: DeploymentJson, replicaSets: readonly ReplicaSetJson[]): ReplicaSetJson[] {
  const uid = deployment.metadata.uid;
  return replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((owner) => owner.kind === 'Deployment' && (uid === undefined || owner.uid === uid) && owner.name === deployment.metadata.name));
}

/** `app=web,tier=front` from `spec.selector.matchLabels`. */
export function labelSelector(deployment: DeploymentJson): string {
  const labels = deployment.spec?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

export interface RevisionRef {
  readonly revision: number;
  readonly replicaSet: string;
}

export type ReplicaSetRollbackChoice =
  | { readonly kind: 'rollback'; readonly from: RevisionRef; readonly to: RevisionRef; readonly template: PodTemplate }
  | { readonly kind: 'already-there'; readonly current: RevisionRef }
  | { readonly kind: 'impossible'; readonly code: string; readonly reason: string };

/**
 * Like `kubectl rollout undo [--to-revision=N]`: the current revision is the ReplicaSet whose template matches the
 * Deployment's (else the highest revision); without `toRevision` the target is the highest older revision whose
 * template differs from the current one.
 */
export function selectRollbackReplicaSet(deployment: DeploymentJson, replicaSets: readonly ReplicaSetJson[], toRevision?: number): ReplicaSetRollbackChoice {
  const name = `${deployment.metadata.namespace}/${deployment.metadata.name}`;
  const history = ownedReplicaSets(deployment, replicaSets)
    .filter((rs) => revisionOf(rs) !== undefined)
    .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0));
  const currentRs = history.find((rs) => templatesEqual(rs.spec?.template, deployment.spec?.template)) ?? history[0];
  if (!currentRs) return { kind: 'impossible', code: 'K8S.NO_ROLLOUT_HISTORY', reason: `${name} has no ReplicaSet revisions` };
  const current: RevisionRef = { revision: revisionOf(currentRs) ?? 0, replicaSet: currentRs.metadata.name ?? '' };
  const target =
    toRevision !== undefined
      ? history.find((rs) => revisionOf(rs) === toRevision)
      : history.find((rs) => (revisionOf(rs) ?? 0) < current.revision && !templatesEqual(rs.spec?.template, deployment.spec?.template));
  if (!target) {
    return toRevision !== undefined
      ? { kind: 'impossible', code: 'K8S.REVISION_NOT_FOUND', reason: `${name} has no revision ${toRevision} (known: ${history.map(revisionOf).join(', ')})` }
      : { kind: 'impossible', code: 'K8S.NO_PREVIOUS_REVISION', reason: `${name} has no earlier revision with a different pod template` };
  }
  if (templatesEqual(target.spec?.template, deployment.spec?.template)) return { kind: 'already-there', current };
  return {
    kind: 'rollback',
    from: current,
    to: { revision: revisionOf(target) ?? 0, replicaSet: target.metadata.name ?? '' },
    template: comparableTemplate(target.spec?.template) as PodTemplate,
  };
}

/**
 * JSON merge patch that makes the Deployment's pod template exactly `template` (keys absent from it are nulled,
 * lists replaced whole) with a resourceVersion precondition (409 Conflict if the Deployment changed meanwhile).
 */
export function templatePatch(deployment: DeploymentJson, template: PodTemplate): JsonObject {
  return {
    metadata: { resourceVersion: deployment.metadata.resourceVersion ?? null },
    spec: { template: createMergePatch(toJson(deployment.spec?.template ?? {}), toJson(template)) },
  };
}

export interface DrainPlan {
  readonly evict: readonly PodJson[];
  readonly skipped: readonly { readonly pod: string; readonly reason: string }[];
}

export const podName = (pod: PodJson): string => `${pod.metadata.namespace}/${pod.metadata.name}`;

/** kubectl drain's default filters: DaemonSet-managed pods stay (the DaemonSet would recreate them), mirror pods cannot be evicted. */
export function planDrain(pods: readonly PodJson[]): DrainPlan {
  const evict: PodJson[] = [];
  const skipped: { pod: string; reason: string }[] = [];
  for (const pod of pods) {
    if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) skipped.push({ pod: podName(pod), reason: 'mirror pod' });
    else if (pod.metadata.ownerReferences?.some((owner) => owner.kind === 'DaemonSet' && owner.controller !== false)) skipped.push({ pod: podName(pod), reason: 'DaemonSet-managed' });
    else if (pod.metadata.deletionTimestamp) skipped.push({ pod: podName(pod), reason: 'already terminating' });
    else evict.push(pod);
  }
  return { evict, skipped };
}
