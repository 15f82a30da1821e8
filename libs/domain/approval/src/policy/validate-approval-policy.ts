import { durationToMs, validateEscalationLevels } from '@vigil/domain/escalation';
import { ACTION_KINDS, RISK_TIERS, isRiskTier } from '@vigil/domain/remediation';
import { isPlainObject } from '@vigil/domain/shared';
import { ApprovalPolicy } from './approval-policy';

export interface PolicyProblem {
  /** The bad field, e.g. `tiers.high.approvers[1][0]`. */
  readonly path: string;
  readonly message: string;
}

export type PolicyValidation = { readonly ok: true; readonly policy: ApprovalPolicy } | { readonly ok: false; readonly errors: readonly PolicyProblem[] };

/** Checks a policy loaded from configuration; every problem names its field. Pure: no defaults are filled in. */
export function validateApprovalPolicy(candidate: unknown): PolicyValidation {
  if (!isPlainObject(candidate)) return { ok: false, errors: [{ path: '', message: 'policy must be an object {roles, tiers, actionTiers}' }] };
  const errors: PolicyProblem[] = [];
  const roles = validateRoles(candidate.roles, errors);
  validateTiers(candidate.tiers, roles, errors);
  validateActionTiers(candidate.actionTiers, errors);
  for (const key of Object.keys(candidate)) {
    if (!['roles', 'tiers', 'actionTiers'].includes(key)) errors.push({ path: key, message: 'unknown field' });
  }
  return errors.length === 0 ? { ok: true, policy: candidate as unknown as ApprovalPolicy } : { ok: false, errors };
}

function validateRoles(roles: unknown, errors: PolicyProblem[]): string[] {
  if (!Array.isArray(roles) || roles.length === 0) {
    errors.push({ path: 'roles', message: 'must be a non-empty list of role names' });
    return [];
  }
  const seen = new Set<string>();
  roles.forEach((role: unknown, index) => {
    if (typeof role !== 'string' || role.trim() === '') errors.push({ path: `roles[${index}]`, message: 'must be a non-empty string' });
    else if (seen.has(role)) errors.push({ path: `roles[${index}]`, message: `duplicate role '${role}'` });
    else seen.add(role);
  });
  return [...seen];
}

function validateTiers(tiers: unknown, roles: readonly string[], errors: PolicyProblem[]): void {
  if (!isPlainObject(tiers)) {
    errors.push({ path: 'tiers', message: `must be an object with the tiers ${RISK_TIERS.join(', ')}` });
    return;
  }
  for (const key of Object.keys(tiers)) if (!isRiskTier(key)) errors.push({ path: `tiers.${key}`, message: 'unknown risk tier' });
  for (const tier of RISK_TIERS) {
    const path = `tiers.${tier}`;
    const policy = tiers[tier];
    if (!isPlainObject(policy)) {
      errors.push({ path, message: 'missing: every risk tier needs a policy' });
      continue;
    }
    if (policy.autoApprove === true) {
      for (const field of ['approvers', 'timeout', 'escalation']) {
        if (policy[field] !== undefined) errors.push({ path: `${path}.${field}`, message: 'an autoApprove tier takes no approvers, timeout or escalation' });
      }
      continue;
    }
    if (policy.autoApprove !== false) {
      errors.push({ path: `${path}.autoApprove`, message: 'must be true or false' });
      continue;
    }
    validateApprovers(policy.approvers, `${path}.approvers`, roles, errors);
    const timeoutMs = durationToMs(policy.timeout);
    if (timeoutMs === undefined || timeoutMs === 0) {
      errors.push({ path: `${path}.timeout`, message: "must be a positive duration: minutes (a number) or '15m', '1h', 'PT30M'" });
    }
    errors.push(...validateEscalationLevels(policy.escalation, `${path}.escalation`, roles));
    const levels = Array.isArray(policy.escalation) ? policy.escalation : [];
    const firstEscalation = isPlainObject(levels[1]) ? durationToMs(levels[1].after) : undefined;
    if (timeoutMs !== undefined && firstEscalation !== undefined && firstEscalation !== timeoutMs) {
      errors.push({ path: `${path}.escalation[1].after`, message: `must equal ${path}.timeout: the first escalation happens when the approval times out` });
    }
  }
}

function validateApprovers(approvers: unknown, path: string, roles: readonly string[], errors: PolicyProblem[]): void {
  if (!Array.isArray(approvers) || approvers.length === 0) {
    errors.push({ path, message: 'must be a non-empty list of role requirements, e.g. [[sre], [manager]]' });
    return;
  }
  approvers.forEach((requirement: unknown, r) => {
    if (!Array.isArray(requirement) || requirement.length === 0) {
      errors.push({ path: `${path}[${r}]`, message: 'must be a non-empty list of roles, any one of which satisfies it' });
      return;
    }
    requirement.forEach((role: unknown, i) => {
      if (typeof role !== 'string' || !roles.includes(role)) {
        errors.push({ path: `${path}[${r}][${i}]`, message: `unknown role '${String(role)}' (known: ${roles.join(', ')})` });
      }
    });
  });
}

function validateActionTiers(actionTiers: unknown, errors: PolicyProblem[]): void {
  if (!isPlainObject(actionTiers)) {
    errors.push({ path: 'actionTiers', message: 'must map every action kind to a risk tier' });
    return;
  }
  for (const kind of ACTION_KINDS) {
    const tier = actionTiers[kind];
    if (tier === undefined) errors.push({ path: `actionTiers.${kind}`, message: 'missing: every action kind needs a tier' });
    else if (!isRiskTier(tier)) errors.push({ path: `actionTiers.${kind}`, message: `must be one of ${RISK_TIERS.join(', ')}` });
  }
  for (const kind of Object.keys(actionTiers)) {
    if (!(ACTION_KINDS as readonly string[]).includes(kind)) errors.push({ path: `actionTiers.${kind}`, message: 'unknown action kind' });
  }
}
