import { ApprovalPolicy, tierForAction } from '@vigil/domain/approval';
import { RemediationAction, RiskFactor, RiskTier, RISK_TIERS, tierRank } from '@vigil/domain/remediation';
import { JsonObject } from '@vigil/domain/shared';
import { dependentsOf, ServiceGraph } from '../dependency/service-graph';
import { formatShare } from '../internal/numbers';
import { formatDuration, InstantInput, toMillis } from '../internal/time';

export interface FreezeWindow {
  readonly start: InstantInput;
  readonly end: InstantInput;
  readonly reason?: string;
  /** Environments it covers; all when absent. */
  readonly environments?: readonly string[];
  /** Services it covers; all when absent. */
  readonly services?: readonly string[];
}

/** What the assessor knows about where the action lands. All optional: unknown facts raise nothing. */
export interface RiskContext {
  /** The instant of the assessment (command metadata `now`): freeze windows are checked against it. */
  readonly now: InstantInput;
  readonly environment?: string;
  /** The service the action changes (for dependents and freeze windows). */
  readonly service?: string;
  /** Pods running now. */
  readonly replicas?: number;
  /** 0..1: the service's share of the traffic entering the system. */
  readonly trafficShare?: number;
  /** Services that depend on it come from here… */
  readonly graph?: ServiceGraph;
  /** …or are given directly. */
  readonly dependents?: readonly string[];
  readonly freezeWindows?: readonly FreezeWindow[];
}

export interface RiskRules {
  /** Environments where blast radius raises the tier. Default prod, production. */
  readonly productionEnvironments: readonly string[];
  /**
   * Tiers added by the environment alone (e.g. `{ prod: 1 }` to make every production change one tier stricter).
   * Default none: the policy's action tiers already describe production changes.
   */
  readonly environmentRaise: Readonly<Record<string, number>>;
  /** Blast radius: a share of traffic at or above this. Default 0.3. */
  readonly trafficShare: number;
  /** Blast radius: at least this many dependent services. Default 5. */
  readonly dependents: number;
  /** Blast radius: at least this many replicas restarted or rolled at once. Default 20. */
  readonly replicas: number;
  /** Scaling by this factor or more (up) counts as a large change. Default 3. */
  readonly scaleFactor: number;
  /** Raises stop here (a policy tier already above it stays). Default high. */
  readonly maxTier: RiskTier;
  /** Info-tier actions (tickets, notifications) change nothing, so nothing raises them. Default false. */
  readonly raiseInfo: boolean;
}

export const DEFAULT_RISK_RULES: RiskRules = {
  productionEnvironments: ['prod', 'production'],
  environmentRaise: {},
  trafficShare: 0.3,
  dependents: 5,
  replicas: 20,
  scaleFactor: 3,
  maxTier: 'high',
  raiseInfo: false,
};

export interface RiskAssessmentResult {
  readonly tier: RiskTier;
  /** Why: the action's policy tier first, then each factor considered (raising or not). */
  readonly factors: readonly RiskFactor[];
  readonly blastRadius: JsonObject;
}

/**
 * Risk assessor (pure): the tier the approval policy gives the action kind, raised one tier by a large blast radius
 * in production (share of traffic, dependents in the service graph, many replicas, a single replica that a restart
 * takes down, scaling down or by a large factor), by the environment when configured, and one tier by an active
 * change freeze; never above `maxTier` unless the policy already is. Returns the factors and the blast radius the
 * approver sees (RiskAssessed{tier, factors, blastRadius}).
 */
export function assessRisk(action: RemediationAction, policy: ApprovalPolicy, context: RiskContext, rules: Partial<RiskRules> = {}): RiskAssessmentResult {
  const r = { ...DEFAULT_RISK_RULES, ...rules };
  const base = tierForAction(policy, action.kind);
  const factors: RiskFactor[] = [{ name: 'action-tier', detail: `${action.kind} is ${base} in the approval policy` }];
  const environment = context.environment;
  const production = environment !== undefined && r.productionEnvironments.includes(environment);
  const dependents = context.dependents ?? (context.graph && context.service ? dependentsOf(context.graph, context.service) : undefined);

  const blast: RiskFactor[] = [];
  if (context.trafficShare !== undefined && context.trafficShare >= r.trafficShare) {
    blast.push({ name: 'traffic-share', detail: `${context.service ?? 'the target'} serves ${formatShare(context.trafficShare)} of traffic` });
  }
  if (dependents !== undefined && dependents.length >= r.dependents) {
    blast.push({ name: 'dependents', detail: `${dependents.length} services depend on ${context.service ?? 'the target'}` });
  }
  const replicas = context.replicas;
  if (replicas !== undefined) {
    const restarts = action.kind === 'k8s.rollout-restart' || action.kind === 'k8s.rollback' || action.kind === 'argocd.rollback';
    if (restarts && replicas >= r.replicas) blast.push({ name: 'many-replicas', detail: `${replicas} replicas are replaced` });
    if (action.kind === 'k8s.rollout-restart' && replicas <= 1) blast.push({ name: 'single-replica', detail: 'one replica: the restart is an outage' });
    const wanted = action.params.replicas;
    if (action.kind === 'k8s.scale' && typeof wanted === 'number') {
      if (wanted < replicas) blast.push({ name: 'scale-down', detail: `from ${replicas} to ${wanted} replicas` });
      else if (replicas > 0 && wanted >= replicas * r.scaleFactor) blast.push({ name: 'large-scale-change', detail: `from ${replicas} to ${wanted} replicas` });
    }
  }

  let raise = 0;
  if (blast.length > 0) {
    if (production) {
      raise += 1;
      factors.push(...blast.map((factor) => ({ ...factor, detail: `${factor.detail} (raises one tier in ${environment})` })));
    } else {
      factors.push(...blast.map((factor) => ({ ...factor, detail: `${factor.detail} (not raised outside production)` })));
    }
  }
  const environmentRaise = environment !== undefined ? (r.environmentRaise[environment] ?? 0) : 0;
  if (environmentRaise > 0) {
    raise += environmentRaise;
    factors.push({ name: 'environment', detail: `${environment} raises ${environmentRaise} tier${environmentRaise === 1 ? '' : 's'}` });
  }
  const now = toMillis(context.now, 'now');
  const freeze = (context.freezeWindows ?? []).find((window) => {
    const inTime = toMillis(window.start, 'freeze start') <= now && now < toMillis(window.end, 'freeze end');
    const inEnvironment = !window.environments || (environment !== undefined && window.environments.includes(environment));
    const inService = !window.services || (context.service !== undefined && window.services.includes(context.service));
    return inTime && inEnvironment && inService;
  });
  if (freeze) {
    raise += 1;
    factors.push({ name: 'change-freeze', detail: `${freeze.reason ?? 'change freeze'} for another ${formatDuration(toMillis(freeze.end, 'freeze end') - now)}` });
  }

  let tier = base;
  if (raise > 0) {
    if (base === 'info' && !r.raiseInfo) {
      factors.push({ name: 'info-not-raised', detail: `${action.kind} changes nothing in the system, so it stays ${base}` });
    } else {
      const ceiling = Math.max(tierRank(base), tierRank(r.maxTier));
      tier = RISK_TIERS[Math.min(tierRank(base) + raise, ceiling)];
      if (tier !== base) factors.push({ name: 'raised', detail: `${base} → ${tier}` });
    }
  }

  const blastRadius: JsonObject = {
    ...(context.service !== undefined ? { service: context.service } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    ...(context.trafficShare !== undefined ? { trafficShare: context.trafficShare } : {}),
    ...(dependents !== undefined ? { dependents: dependents.length, dependentServices: dependents.slice(0, 20) } : {}),
  };
  return { tier, factors, blastRadius };
}

/**
 * The assessor as the approval saga's `RiskAssessor` ((action, policy) → {tier, factors}), with the context looked
 * up per action (e.g. from the service catalogue and the read models the host keeps).
 */
export function contextualRiskAssessor(
  contextOf: (action: RemediationAction) => RiskContext,
  rules: Partial<RiskRules> = {},
): (action: RemediationAction, policy: ApprovalPolicy) => RiskAssessmentResult {
  return (action, policy) => assessRisk(action, policy, contextOf(action), rules);
}
