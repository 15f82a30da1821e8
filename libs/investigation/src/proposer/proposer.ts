import { RemediationAction } from '@vigil/domain/remediation';
import { JsonObject } from '@vigil/domain/shared';
import { InvestigationHypothesis, ServiceFacts } from '../hypotheses/rank-hypotheses';
import { formatShare } from '../internal/numbers';

/** Where a service is deployed, as the executors address it. */
export interface ServiceTarget {
  /** ArgoCD application (`payments-api` or `<appNamespace>/<app>`): rollbacks go through ArgoCD when set. */
  readonly argocdApp?: string;
  /** The Kubernetes Deployment: restarts and scaling (and rollbacks without ArgoCD). */
  readonly k8s?: { readonly namespace: string; readonly deployment: string; readonly cluster?: string };
}

export interface ProposerOptions {
  /** A mutating action is proposed only for hypotheses at least this confident. Default 0.5. */
  readonly actConfidence: number;
  /** Scale up to ceil(replicas × this) (at least one more). Default 1.5. */
  readonly scaleFactor: number;
  /** Candidates returned at most. Default 3. */
  readonly limit: number;
  /** The Jira project of low-confidence tickets (`jira:<project>`). Default OPS. */
  readonly ticketProject: string;
}

export const DEFAULT_PROPOSER_OPTIONS: ProposerOptions = { actConfidence: 0.5, scaleFactor: 1.5, limit: 3, ticketProject: 'OPS' };

export interface CandidateAction {
  readonly action: RemediationAction;
  /** What the approver reads: why this action, from which evidence. */
  readonly rationale: string;
  /** The confidence of the hypothesis it answers. */
  readonly confidence: number;
  /** Index of that hypothesis in the ranked input (0 = best). */
  readonly hypothesisIndex: number;
  /** The findings behind it: the approver's evidence links. */
  readonly findingIds: readonly string[];
}

export interface SkippedHypothesis {
  readonly hypothesisIndex: number;
  readonly reason: string;
}

export interface Proposal {
  readonly candidates: readonly CandidateAction[];
  /** Hypotheses that got no action, and why (no target known, no safe automatic action, too little confidence). */
  readonly skipped: readonly SkippedHypothesis[];
}

/**
 * The proposer: ranked hypotheses → candidate actions, each with its rationale and evidence.
 * - bad deployment → ArgoCD rollback to the last healthy revision (Kubernetes rollback without an ArgoCD app), only
 *   when a change event correlates (a deployment finding supports it): a version attribute alone is no deployment;
 * - crash loop or memory leak → rollout restart;
 * - saturation → scale up (needs the current replica count; capped at maxReplicas);
 * - nothing on a propagated symptom (`propagatedFrom`): the action belongs to the root it propagates from;
 * - a ticket whenever no automatic action fits: no hypothesis confident enough, or confident ones whose cause has no
 *   safe automatic action (failing dependencies, traffic segments, error patterns) or no known target.
 */
export function proposeActions(
  input: {
    readonly hypotheses: readonly InvestigationHypothesis[];
    /** The anomaly's service (the ticket names it). */
    readonly service: string;
    readonly targets: Readonly<Record<string, ServiceTarget>>;
    readonly facts?: readonly ServiceFacts[];
    /** e.g. the anomaly's summary, for the ticket. */
    readonly anomalySummary?: string;
  },
  options: Partial<ProposerOptions> = {},
): Proposal {
  const o = { ...DEFAULT_PROPOSER_OPTIONS, ...options };
  const candidates: CandidateAction[] = [];
  const skipped: SkippedHypothesis[] = [];
  const seen = new Set<string>();
  const factsOf = (service: string | undefined) => (service === undefined ? undefined : input.facts?.find((facts) => facts.service === service));

  input.hypotheses.forEach((hypothesis, hypothesisIndex) => {
    if (hypothesis.confidence < o.actConfidence) {
      skipped.push({ hypothesisIndex, reason: `confidence ${hypothesis.confidence} is below ${o.actConfidence}` });
      return;
    }
    if (hypothesis.propagatedFrom !== undefined) {
      skipped.push({ hypothesisIndex, reason: `${hypothesis.service ?? 'the service'} is a symptom: its anomaly propagates from ${hypothesis.propagatedFrom}` });
      return;
    }
    const target = hypothesis.service === undefined ? undefined : input.targets[hypothesis.service];
    const result = actionFor(hypothesis, target, factsOf(hypothesis.service), o);
    if ('reason' in result) {
      skipped.push({ hypothesisIndex, reason: result.reason });
      return;
    }
    const key = `${result.action.kind} ${result.action.target}`;
    if (seen.has(key)) {
      skipped.push({ hypothesisIndex, reason: `${key} is already proposed for a stronger hypothesis` });
      return;
    }
    seen.add(key);
    candidates.push({
      action: result.action,
      rationale: `${result.why} Hypothesis (confidence ${formatShare(hypothesis.confidence)}): ${hypothesis.summary}.`,
      confidence: hypothesis.confidence,
      hypothesisIndex,
      findingIds: hypothesis.findingIds,
    });
  });

  if (candidates.length === 0) candidates.push(ticketFor(input.service, input.hypotheses, input.anomalySummary, o));
  return { candidates: candidates.slice(0, o.limit), skipped };
}

function actionFor(
  hypothesis: InvestigationHypothesis,
  target: ServiceTarget | undefined,
  facts: ServiceFacts | undefined,
  o: ProposerOptions,
): { action: RemediationAction; why: string } | { reason: string } {
  const service = hypothesis.service ?? 'the service';
  switch (hypothesis.cause) {
    case 'bad-deployment': {
      if (!hypothesis.findingIds.some(isDeploymentFinding)) {
        return { reason: `no change event of ${service} correlates with the anomaly${hypothesis.revision ? ` (${hypothesis.revision} is only over-represented)` : ''}: nothing to roll back` };
      }
      const revision = hypothesis.rollbackRevision;
      if (target?.argocdApp) {
        return {
          action: { kind: 'argocd.rollback', target: `argocd:${target.argocdApp}`, params: revision !== undefined ? { revision } : {} },
          why: revision !== undefined
            ? `Roll ${service} back to ${revision}, the revision live before ${hypothesis.revision ?? 'the suspect deployment'}.`
            : `Roll ${service} back to its previous deployment (the revision before ${hypothesis.revision ?? 'the suspect one'} is not known here; ArgoCD's history has it).`,
        };
      }
      if (target?.k8s) {
        return {
          action: { kind: 'k8s.rollback', target: k8sTarget(target.k8s), params: {} },
          why: `Roll the ${target.k8s.deployment} Deployment back to its previous ReplicaSet (${service} has no ArgoCD application).`,
        };
      }
      return { reason: `no ArgoCD application or Deployment is known for ${service}` };
    }
    case 'crash-loop':
    case 'resource-leak': {
      if (!target?.k8s) return { reason: `no Deployment is known for ${service}` };
      return {
        action: { kind: 'k8s.rollout-restart', target: k8sTarget(target.k8s), params: {} },
        why:
          hypothesis.cause === 'crash-loop'
            ? `Restart ${service}'s pods to clear the crash loop (a restart buys time; the cause still needs fixing).`
            : `Restart ${service}'s pods to release the leaked memory before they are OOM-killed (buys time; the leak still needs fixing).`,
      };
    }
    case 'saturation': {
      if (!target?.k8s) return { reason: `no Deployment is known for ${service}` };
      const replicas = facts?.replicas;
      if (replicas === undefined) return { reason: `the current replica count of ${service} is not known` };
      const wanted = Math.max(replicas + 1, Math.ceil(replicas * o.scaleFactor));
      const capped = facts?.maxReplicas !== undefined ? Math.min(wanted, facts.maxReplicas) : wanted;
      if (capped <= replicas) return { reason: `${service} already runs its maximum of ${facts?.maxReplicas} replicas` };
      return {
        action: { kind: 'k8s.scale', target: k8sTarget(target.k8s), params: { replicas: capped } },
        why: `Scale ${service} from ${replicas} to ${capped} replicas to absorb the load.`,
      };
    }
    case 'failing-service':
    case 'unhealthy-instance':
    case 'segment':
    case 'error-pattern':
      return { reason: `no safe automatic action for a ${hypothesis.cause} hypothesis` };
  }
}

/** Deployment findings are the ones built from change events (`deployment:<service>:<revision>`). */
const isDeploymentFinding = (findingId: string): boolean => findingId.startsWith('deployment:');

function ticketFor(
  anomalyService: string,
  hypotheses: readonly InvestigationHypothesis[],
  anomalySummary: string | undefined,
  o: ProposerOptions,
): CandidateAction {
  const top = hypotheses[0];
  const confident = top !== undefined && top.confidence >= o.actConfidence;
  // A confident hypothesis names where the fault is (e.g. a slow third party): the ticket is about that service.
  const service = confident && top.service !== undefined ? top.service : anomalyService;
  const lines = hypotheses.slice(0, 5).map((hypothesis, index) => `${index + 1}. ${hypothesis.summary} (confidence ${formatShare(hypothesis.confidence)})`);
  const description = [
    anomalySummary ?? `Anomaly on ${anomalyService}.`,
    '',
    hypotheses.length === 0
      ? 'The investigation found no hypothesis.'
      : confident
        ? 'No automatic action fits these hypotheses, so nothing is changed automatically:'
        : `No hypothesis reached ${formatShare(o.actConfidence)} confidence, so nothing is changed automatically:`,
    ...lines,
  ].join('\n');
  const params: JsonObject = { summary: service === anomalyService ? `Investigate anomaly on ${service}` : `Investigate ${service} (anomaly on ${anomalyService})`, description, service };
  return {
    action: { kind: 'ticket.create', target: `jira:${o.ticketProject}`, params },
    rationale: confident
      ? `${top.summary}: no safe automatic action fits, so a ticket hands the findings to a human. ${hypotheses.length} hypotheses considered.`
      : `Confidence is too low for an automatic change; a ticket hands the findings to a human. ${hypotheses.length} hypotheses considered.`,
    confidence: hypotheses[0]?.confidence ?? 0,
    hypothesisIndex: hypotheses.length > 0 ? 0 : -1,
    findingIds: [...new Set(hypotheses.flatMap((hypothesis) => hypothesis.findingIds))],
  };
}

function k8sTarget(k8s: NonNullable<ServiceTarget['k8s']>): string {
  return k8s.cluster ? `k8s:${k8s.cluster}/${k8s.namespace}/deployment/${k8s.deployment}` : `k8s:${k8s.namespace}/deployment/${k8s.deployment}`;
}
