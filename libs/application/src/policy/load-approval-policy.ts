import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ApprovalPolicy, DEFAULT_APPROVAL_POLICY, validateApprovalPolicy } from '@vigil/domain/approval';
import { durationToMs } from '@vigil/domain/escalation';
import { RISK_TIERS, RiskTier } from '@vigil/domain/remediation';

export class ApprovalPolicyError extends Error {
  readonly type = 'approval-policy' as const;
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`Invalid approval policy (${source}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * The approval policy: the built-in table, replaced by VIGIL_APPROVAL_POLICY_FILE (YAML or JSON) when set, then
 * per-tier environment overrides:
 *  - VIGIL_APPROVAL_TIMEOUT_<TIER>=<duration> sets the tier's timeout and rescales its escalation levels in
 *    proportion (level 1 stays at the timeout, level 2 at its old multiple…);
 *  - VIGIL_ACTION_TIER_<KIND>=<tier> moves an action kind to another tier (kind with `.`/`-` as `_`: K8S_SCALE).
 * The result is validated; any problem stops start-up naming the field.
 */
export function loadApprovalPolicy(env: NodeJS.ProcessEnv = process.env): ApprovalPolicy {
  const file = env.VIGIL_APPROVAL_POLICY_FILE?.trim();
  let candidate: unknown = DEFAULT_APPROVAL_POLICY;
  let source = 'built-in default';
  if (file) {
    source = file;
    try {
      candidate = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ApprovalPolicyError(source, [`cannot read or parse: ${(error as Error).message}`]);
    }
  }
  // A JSON round trip (not structuredClone): plain objects of this realm, as the validator expects.
  const overridden = applyEnvOverrides(JSON.parse(JSON.stringify(candidate)) as Record<string, unknown>, env);
  const result = validateApprovalPolicy(overridden.policy);
  const problems = [...overridden.problems, ...(result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`))];
  if (problems.length || !result.ok) throw new ApprovalPolicyError(source, problems);
  return result.policy;
}

function applyEnvOverrides(policy: Record<string, unknown>, env: NodeJS.ProcessEnv): { policy: unknown; problems: string[] } {
  const problems: string[] = [];
  const tiers = (policy.tiers ?? {}) as Record<string, Record<string, unknown>>;
  for (const tier of RISK_TIERS) {
    const variable = `VIGIL_APPROVAL_TIMEOUT_${tier.toUpperCase()}`;
    const value = env[variable]?.trim();
    if (!value) continue;
    const tierPolicy = tiers[tier];
    const newMs = durationToMs(value);
    const oldMs = durationToMs(tierPolicy?.timeout);
    if (newMs === undefined || newMs === 0) {
      problems.push(`${variable}: must be a positive duration such as 90s, 15m, 1h`);
      continue;
    }
    if (!tierPolicy || tierPolicy.autoApprove || oldMs === undefined || oldMs === 0) {
      problems.push(`${variable}: tier ${tier} has no timeout to override`);
      continue;
    }
    tierPolicy.timeout = `${Math.round(newMs / 1000)}s`;
    const levels = tierPolicy.escalation as { after: unknown }[] | undefined;
    for (const level of levels ?? []) {
      const afterMs = durationToMs(level.after) ?? 0;
      level.after = `${Math.round((afterMs * newMs) / oldMs / 1000)}s`;
    }
  }
  const actionTiers = (policy.actionTiers ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(env)) {
    const match = /^VIGIL_ACTION_TIER_([A-Z0-9_]+)$/.exec(name);
    if (!match || !value) continue;
    const kind = Object.keys(actionTiers).find((k) => k.replace(/[.-]/g, '_').toUpperCase() === match[1]);
    if (!kind) problems.push(`${name}: no action kind matches ${match[1]}`);
    else if (!RISK_TIERS.includes(value.trim() as RiskTier)) problems.push(`${name}: must be one of ${RISK_TIERS.join(', ')}`);
    else actionTiers[kind] = value.trim();
  }
  return { policy, problems };
}
