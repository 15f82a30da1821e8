import { JsonObject } from '@vigil/domain/shared';
import { round } from '../internal/numbers';
import { formatDuration, InstantInput, toMillis } from '../internal/time';
import { downstreamDistances, ServiceGraph } from '../dependency/service-graph';

/** A change event: a deployment (ArgoCD sync, GitHub deploy), a config change, a feature flag, a scaling event. */
export interface ChangeEvent {
  readonly service: string;
  readonly at: InstantInput;
  /** The revision (image tag, git sha, ArgoCD revision) live after the change. */
  readonly revision: string;
  /** `deployment`, `config`, `feature-flag`, `scale`…: free text; `kindWeights` may weigh kinds differently. */
  readonly kind: string;
  /** The revision live before it, when the source reports it (ArgoCD history does). */
  readonly previousRevision?: string;
  /** Where it came from (`argocd`, `github`, `webhook`) and its id there: carried into the evidence. */
  readonly source?: string;
  readonly id?: string;
}

export type ChangeScope = 'same-service' | 'direct-dependency' | 'transitive-dependency';

export interface DeploymentCorrelationOptions {
  /** Changes older than this before the onset are ignored. Default 2 h. */
  readonly lookbackMs: number;
  /** Proximity halves every this much time before the onset. Default 15 min. */
  readonly halfLifeMs: number;
  /** Changes up to this long after the onset still count, at full proximity (clock skew between sources). Default 60 s. */
  readonly skewToleranceMs: number;
  /** Weight by scope. Default same service 1, direct dependency 0.6, transitive 0.3. */
  readonly scopeWeights: Readonly<Record<ChangeScope, number>>;
  /** Dependencies further than this many hops are not considered. Default 3. */
  readonly maxHops: number;
  /** Weight by change kind (unlisted kinds weigh 1). Default: scale 0.5. */
  readonly kindWeights: Readonly<Record<string, number>>;
}

export const DEFAULT_DEPLOYMENT_OPTIONS: DeploymentCorrelationOptions = {
  lookbackMs: 2 * 3_600_000,
  halfLifeMs: 15 * 60_000,
  skewToleranceMs: 60_000,
  scopeWeights: { 'same-service': 1, 'direct-dependency': 0.6, 'transitive-dependency': 0.3 },
  maxHops: 3,
  kindWeights: { scale: 0.5 },
};

export interface CorrelatedChange {
  readonly change: ChangeEvent;
  readonly scope: ChangeScope;
  /** Call-graph hops from the anomalous service to the changed one (0 for the same service). */
  readonly hops: number;
  /** How long before the onset (negative: within the skew tolerance after it). */
  readonly leadMs: number;
  /** 0..1, halving every `halfLifeMs`. */
  readonly proximity: number;
  /** 0..1: proximity × scope weight × kind weight. */
  readonly score: number;
  /**
   * The revision to roll back to: `previousRevision`, else the revision of the same service's latest earlier change
   * in the input (the last one known to have been live before this change).
   */
  readonly rollbackRevision?: string;
  /** "payments-api deployment v2.14.0 3 min before the anomaly (same service)" */
  readonly summary: string;
}

/**
 * Deployment correlation: the changes to the anomalous service and to the services it calls (directly or
 * transitively, from the service graph) made shortly before the anomaly began, scored by time proximity (exponential
 * decay) × scope (same service > direct dependency > transitive) × kind. Best first.
 */
export function correlateChanges(
  input: {
    /** The anomalous service. */
    readonly service: string;
    /** When its anomaly began. */
    readonly onset: InstantInput;
    /** Change events around the onset, any services, any order (the query may over-fetch). */
    readonly changes: readonly ChangeEvent[];
    /** Without a graph only the service's own changes count. */
    readonly graph?: ServiceGraph;
  },
  options: Partial<DeploymentCorrelationOptions> = {},
): CorrelatedChange[] {
  const o = { ...DEFAULT_DEPLOYMENT_OPTIONS, ...options };
  const onset = toMillis(input.onset, 'onset');
  const hopsTo = input.graph ? downstreamDistances(input.graph, input.service) : new Map([[input.service, 0]]);
  hopsTo.set(input.service, 0);
  const history = [...input.changes].map((change) => ({ change, at: toMillis(change.at, `change ${change.revision}`) })).sort((a, b) => a.at - b.at);

  const out: CorrelatedChange[] = [];
  for (const { change, at } of history) {
    const hops = hopsTo.get(change.service);
    if (hops === undefined || hops > o.maxHops) continue;
    const leadMs = onset - at;
    if (leadMs > o.lookbackMs || leadMs < -o.skewToleranceMs) continue;
    const scope: ChangeScope = hops === 0 ? 'same-service' : hops === 1 ? 'direct-dependency' : 'transitive-dependency';
    const proximity = 0.5 ** (Math.max(0, leadMs) / o.halfLifeMs);
    const score = proximity * o.scopeWeights[scope] * (o.kindWeights[change.kind] ?? 1);
    const earlier = [...history].reverse().find((entry) => entry.change.service === change.service && entry.at < at && entry.change.revision !== change.revision);
    const rollbackRevision = change.previousRevision ?? earlier?.change.revision;
    const when = leadMs >= 0 ? `${formatDuration(leadMs)} before the anomaly` : `${formatDuration(-leadMs)} after the anomaly began (clock skew?)`;
    const where = scope === 'same-service' ? 'same service' : `${scope.replace('-', ' ')} of ${input.service}, ${hops} hop${hops === 1 ? '' : 's'}`;
    out.push({
      change,
      scope,
      hops,
      leadMs,
      proximity: round(proximity),
      score: round(score),
      ...(rollbackRevision !== undefined ? { rollbackRevision } : {}),
      summary: `${change.service} ${change.kind} ${change.revision} ${when} (${where})`,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.leadMs - b.leadMs || (a.change.service < b.change.service ? -1 : 1));
}

/** The evidence object of a deployment finding (JSON, as FindingRecorded carries it). */
export function changeEvidence(correlated: CorrelatedChange): JsonObject {
  const { change } = correlated;
  return {
    service: change.service,
    kind: change.kind,
    revision: change.revision,
    at: change.at,
    ...(change.previousRevision !== undefined ? { previousRevision: change.previousRevision } : {}),
    ...(correlated.rollbackRevision !== undefined ? { rollbackRevision: correlated.rollbackRevision } : {}),
    ...(change.source !== undefined ? { source: change.source } : {}),
    ...(change.id !== undefined ? { changeId: change.id } : {}),
    scope: correlated.scope,
    hops: correlated.hops,
    leadMs: correlated.leadMs,
    proximity: correlated.proximity,
  };
}
