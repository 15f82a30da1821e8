import { JsonObject, JsonValue, assertNever, canonicalJson, isJsonObject } from '@vigil/domain/shared';

export const ACTION_KINDS = [
  'argocd.rollback',
  'k8s.scale',
  'k8s.rollout-restart',
  'k8s.rollback',
  'k8s.drain-node',
  'k8s.cordon-node',
  'k8s.uncordon-node',
  'ticket.create',
  'notify',
  'db.failover',
  'region.failover',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const isActionKind = (value: unknown): value is ActionKind => ACTION_KINDS.includes(value as ActionKind);

/** What would run: exactly what the approver sees and what the action hash covers. */
export interface RemediationAction {
  readonly kind: ActionKind;
  /** e.g. `argocd:payments-api`, `k8s:prod/payments/deployment/api`, `node:ip-10-0-1-7`. */
  readonly target: string;
  readonly params: JsonObject;
}

export interface ActionProblem {
  readonly field: string;
  readonly message: string;
}

/** Structural checks every action passes before it can be proposed; empty when the action is well formed. */
export function validateAction(action: unknown): ActionProblem[] {
  if (typeof action !== 'object' || action === null) return [{ field: 'action', message: 'must be an object' }];
  const { kind, target, params } = action as Record<string, unknown>;
  const problems: ActionProblem[] = [];
  if (!isActionKind(kind)) problems.push({ field: 'action.kind', message: `must be one of ${ACTION_KINDS.join(', ')}` });
  if (typeof target !== 'string' || target.trim() === '') problems.push({ field: 'action.target', message: 'must be a non-empty string' });
  if (!isJsonObject(params)) {
    problems.push({ field: 'action.params', message: 'must be a JSON object' });
  } else if (kind === 'k8s.scale' && !isNonNegativeInteger(params.replicas)) {
    problems.push({ field: 'action.params.replicas', message: 'k8s.scale needs a non-negative integer replica count' });
  }
  return problems;
}

/**
 * The exact text whose sha256 is the action hash: canonical JSON of `{kind, target, params, proposalVersion}`.
 * Approvals and executions carry the hash, so an approval can never authorise a different action or version.
 * Hashing happens outside the domain (no crypto here).
 */
export function actionHashInput(action: RemediationAction, proposalVersion: number): string {
  return canonicalJson({ kind: action.kind, target: action.target, params: action.params, proposalVersion });
}

/**
 * The action that undoes `action`, given what the executor reported about the state before it ran
 * (`previousReplicas`, `previousRevision`, `previousPrimary`, `previousRegion`); `undefined` when there is none
 * (a restart, a ticket, a notification) or when the executor did not report the previous state.
 */
export function inverseAction(action: RemediationAction, result: JsonObject): RemediationAction | undefined {
  const { kind, target } = action;
  switch (kind) {
    case 'k8s.scale':
      return isNonNegativeInteger(result.previousReplicas)
        ? { kind, target, params: { replicas: result.previousReplicas } }
        : undefined;
    case 'argocd.rollback':
    case 'k8s.rollback':
      // Undoing a rollback is rolling forward to the revision that was live before it.
      return isRevision(result.previousRevision) ? { kind, target, params: { revision: result.previousRevision } } : undefined;
    case 'k8s.cordon-node':
    case 'k8s.drain-node':
      return { kind: 'k8s.uncordon-node', target, params: {} };
    case 'k8s.uncordon-node':
      return { kind: 'k8s.cordon-node', target, params: {} };
    case 'db.failover':
      return isNonEmptyString(result.previousPrimary) ? { kind, target, params: { to: result.previousPrimary } } : undefined;
    case 'region.failover':
      return isNonEmptyString(result.previousRegion) ? { kind, target, params: { to: result.previousRegion } } : undefined;
    case 'k8s.rollout-restart':
    case 'ticket.create':
    case 'notify':
      return undefined;
    default:
      return assertNever(kind, 'action kind');
  }
}

const isNonNegativeInteger = (value: JsonValue | undefined): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isNonEmptyString = (value: JsonValue | undefined): value is string => typeof value === 'string' && value !== '';
const isRevision = (value: JsonValue | undefined): value is string | number =>
  isNonEmptyString(value) || (typeof value === 'number' && Number.isInteger(value));
