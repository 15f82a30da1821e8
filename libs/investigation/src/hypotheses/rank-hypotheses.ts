import { FindingKind, Hypothesis } from '@vigil/domain/investigation';
import { RemediationAction } from '@vigil/domain/remediation';
import { Cause, InvestigationFinding } from '../findings/findings';
import { formatShare, noisyOr, round } from '../internal/numbers';

/**
 * What the platform knows about a service besides the findings (from Kubernetes and the metrics store): restarts,
 * utilisation against limits, replicas. Used as supporting evidence and by the proposer and the risk assessor.
 */
export interface ServiceFacts {
  readonly service: string;
  readonly replicas?: number;
  readonly maxReplicas?: number;
  /** Container restarts in the investigated window. */
  readonly restarts?: number;
  /** OOMKilled terminations in the window. */
  readonly oomKills?: number;
  /** 0..1 of the CPU limit (or request), at the peak of the window. */
  readonly cpuUtilization?: number;
  /** 0..1 of the memory limit. */
  readonly memoryUtilization?: number;
  /** Memory kept growing through the window (a leak's signature). */
  readonly memoryRising?: boolean;
}

export interface InvestigationHypothesis {
  readonly cause: Cause;
  readonly service?: string;
  readonly revision?: string;
  readonly rollbackRevision?: string;
  readonly attribute?: string;
  readonly value?: string;
  readonly summary: string;
  /** 0..1: noisy-OR of the supporting evidence. */
  readonly confidence: number;
  /** Findings that support it, strongest first. */
  readonly findingIds: readonly string[];
  /** How much each piece of evidence contributed (finding ids, or `facts:<service>`). */
  readonly support: readonly { readonly source: string; readonly weight: number }[];
  /**
   * Set when the hypothesis is about a symptom whose anomaly dependency tracing explains by a callee (`root`) and
   * nothing of the service's own (OOM kills, restarts, CPU) supports it: it is demoted and never acted on.
   */
  readonly propagatedFrom?: string;
}

/** A symptom service whose anomaly dependency tracing explains by `root`, a callee whose own anomaly began first. */
export interface PropagatedSymptom {
  readonly service: string;
  readonly root: string;
}

export interface HypothesisOptions {
  /** How far one finding of each kind can be trusted on its own (its score is scaled by this). */
  readonly reliability: Readonly<Record<FindingKind, number>>;
  /** A finding about the same service but another cause still supports a hypothesis, at this weight. */
  readonly sameServiceWeight: number;
  /**
   * …and a dependency finding, at this weight: it localises the fault to the service whatever the cause, so by
   * default it supports a specific explanation there (a deployment, a leak) as fully as the bare "it is failing".
   */
  readonly localisationWeight: number;
  /** Restarts in the window that make a crash loop. Default 3. */
  readonly crashLoopRestarts: number;
  /** Utilisation (0..1) that counts as saturated. Default 0.85. */
  readonly saturationUtilization: number;
  /** Hypotheses returned at most. Default 5. */
  readonly limit: number;
  /** The confidence of a hypothesis about a propagated symptom is scaled by this. Default 0.3. */
  readonly propagatedWeight: number;
}

export const DEFAULT_HYPOTHESIS_OPTIONS: HypothesisOptions = {
  reliability: { deployment: 0.85, dependency: 0.75, logs: 0.7, bubbleup: 0.7 },
  sameServiceWeight: 0.3,
  localisationWeight: 1,
  crashLoopRestarts: 3,
  saturationUtilization: 0.85,
  limit: 5,
  propagatedWeight: 0.3,
};

interface Draft {
  readonly cause: Cause;
  readonly service?: string;
  readonly revision?: string;
  readonly rollbackRevision?: string;
  readonly attribute?: string;
  readonly value?: string;
  readonly signal?: string;
  readonly support: { source: string; weight: number; isFinding: boolean }[];
  readonly factNotes: string[];
}

const keyOf = (draft: { cause: Cause; service?: string; revision?: string; attribute?: string; value?: string }): string =>
  [draft.cause, draft.service ?? '', draft.revision ?? '', draft.cause === 'segment' || draft.cause === 'unhealthy-instance' ? `${draft.attribute}=${draft.value}` : ''].join('|');

/**
 * Hypothesis ranking: every distinct (cause, service[, revision | attribute=value]) a finding names becomes a
 * hypothesis; every finding and fact then supports every hypothesis it bears on (fully when it names the same cause,
 * partly when it is about the same service), and the confidence is the noisy-OR of the supports: independent pieces
 * of evidence that agree raise it, a lone weak one does not. Best first; ties by the order of the findings.
 */
export function rankHypotheses(
  input: {
    readonly findings: readonly InvestigationFinding[];
    readonly facts?: readonly ServiceFacts[];
    /**
     * Symptoms dependency tracing explains by a root callee: their hypotheses (unless the service's own facts back
     * them) are scaled by `propagatedWeight` and marked `propagatedFrom`, so the root's rank first.
     */
    readonly propagated?: readonly PropagatedSymptom[];
  },
  options: Partial<HypothesisOptions> = {},
): InvestigationHypothesis[] {
  const o = { ...DEFAULT_HYPOTHESIS_OPTIONS, ...options };
  const drafts = new Map<string, Draft>();
  const add = (draft: Omit<Draft, 'support' | 'factNotes'>) => {
    const key = keyOf(draft);
    const existing = drafts.get(key);
    if (!existing) drafts.set(key, { ...draft, support: [], factNotes: [] });
    else if (existing.rollbackRevision === undefined && draft.rollbackRevision !== undefined) drafts.set(key, { ...existing, rollbackRevision: draft.rollbackRevision });
  };
  for (const finding of input.findings) add(finding.subject);
  const factEvidence = (input.facts ?? []).flatMap((facts) => factsEvidence(facts, o));
  for (const fact of factEvidence) add({ cause: fact.cause, service: fact.service });

  for (const draft of drafts.values()) {
    for (const finding of input.findings) {
      const subject = finding.subject;
      let weight = 0;
      if (keyOf(subject) === keyOf(draft)) weight = 1;
      else if (subject.service !== undefined && subject.service === draft.service) {
        weight = finding.kind === 'dependency' ? o.localisationWeight : o.sameServiceWeight;
        // Evidence against one revision says nothing about another.
        if (subject.cause === 'bad-deployment' && draft.cause === 'bad-deployment') weight = subject.revision === draft.revision ? 1 : 0;
      }
      if (weight > 0) draft.support.push({ source: finding.findingId, weight: round(weight * finding.score * o.reliability[finding.kind]), isFinding: true });
    }
    for (const fact of factEvidence) {
      if (fact.service !== draft.service) continue;
      const weight = fact.cause === draft.cause ? 1 : o.sameServiceWeight;
      draft.support.push({ source: `facts:${fact.service}`, weight: round(weight * fact.strength), isFinding: false });
      if (fact.cause === draft.cause) draft.factNotes.push(fact.note);
    }
  }

  return [...drafts.values()]
    .map((draft, order) => {
      const support = [...draft.support].filter((entry) => entry.weight > 0).sort((a, b) => b.weight - a.weight);
      const symptom = draft.factNotes.length === 0 ? input.propagated?.find((entry) => entry.service === draft.service && entry.root !== entry.service) : undefined;
      const confidence = round(noisyOr(support.map((entry) => entry.weight)) * (symptom ? o.propagatedWeight : 1), 3);
      const hypothesis: InvestigationHypothesis = {
        cause: draft.cause,
        ...(draft.service !== undefined ? { service: draft.service } : {}),
        ...(draft.revision !== undefined ? { revision: draft.revision } : {}),
        ...(draft.rollbackRevision !== undefined ? { rollbackRevision: draft.rollbackRevision } : {}),
        ...(draft.attribute !== undefined ? { attribute: draft.attribute } : {}),
        ...(draft.value !== undefined ? { value: draft.value } : {}),
        summary: symptom ? `${summaryOf(draft)}, but this looks like a symptom: its dependency ${symptom.root}'s anomaly began first` : summaryOf(draft),
        confidence,
        findingIds: [...new Set(support.filter((entry) => entry.isFinding).map((entry) => entry.source))],
        support: support.map(({ source, weight }) => ({ source, weight })),
        ...(symptom ? { propagatedFrom: symptom.root } : {}),
      };
      return { hypothesis, order };
    })
    .filter(({ hypothesis }) => hypothesis.confidence > 0)
    .sort((a, b) => b.hypothesis.confidence - a.hypothesis.confidence || a.order - b.order)
    .slice(0, o.limit)
    .map(({ hypothesis }) => hypothesis);
}

/** The domain's Hypothesis (what ConcludeInvestigation takes), with the proposer's action when there is one. */
export function toDomainHypothesis(hypothesis: InvestigationHypothesis, suggestedAction?: RemediationAction): Hypothesis {
  return {
    summary: hypothesis.summary,
    confidence: hypothesis.confidence,
    ...(hypothesis.findingIds.length > 0 ? { findingIds: [...hypothesis.findingIds] } : {}),
    ...(suggestedAction ? { suggestedAction } : {}),
  };
}

interface FactEvidence {
  readonly service: string;
  readonly cause: Cause;
  readonly strength: number;
  readonly note: string;
}

function factsEvidence(facts: ServiceFacts, o: HypothesisOptions): FactEvidence[] {
  const out: FactEvidence[] = [];
  const { service } = facts;
  if (facts.restarts !== undefined && facts.restarts >= o.crashLoopRestarts) {
    out.push({ service, cause: 'crash-loop', strength: Math.min(0.8, 0.5 + 0.05 * facts.restarts), note: `${facts.restarts} restarts in the window` });
  }
  if ((facts.oomKills ?? 0) > 0 || (facts.memoryRising && (facts.memoryUtilization ?? 0) >= o.saturationUtilization)) {
    const parts = [(facts.oomKills ?? 0) > 0 ? `${facts.oomKills} OOMKilled` : '', facts.memoryUtilization !== undefined ? `memory at ${formatShare(facts.memoryUtilization)} of its limit` : ''];
    out.push({ service, cause: 'resource-leak', strength: (facts.oomKills ?? 0) > 0 ? 0.7 : 0.5, note: parts.filter(Boolean).join(', ') });
  }
  if (facts.cpuUtilization !== undefined && facts.cpuUtilization >= o.saturationUtilization) {
    out.push({ service, cause: 'saturation', strength: 0.6, note: `CPU at ${formatShare(facts.cpuUtilization)} of its limit` });
  }
  return out;
}

function summaryOf(draft: Draft): string {
  const service = draft.service ?? 'the service';
  const facts = draft.factNotes.length > 0 ? ` (${draft.factNotes.join('; ')})` : '';
  switch (draft.cause) {
    case 'bad-deployment':
      return `The deployment of ${draft.revision ?? 'a new revision'} to ${service} caused the anomaly${facts}`;
    case 'crash-loop':
      return `${service} is crash-looping${facts}`;
    case 'resource-leak':
      return `${service} is running out of memory (a leak or an undersized limit)${facts}`;
    case 'saturation':
      return `${service} is saturated${draft.signal ? ` (${draft.signal})` : ''}${facts}`;
    case 'failing-service':
      return `${service} is failing and its callers feel it${draft.signal ? ` (${draft.signal})` : ''}`;
    case 'unhealthy-instance':
      return `One instance of ${service} is unhealthy (${draft.attribute}=${draft.value})`;
    case 'segment':
      return `The anomaly is concentrated in ${draft.attribute}=${draft.value}${draft.service ? ` on ${draft.service}` : ''}`;
    case 'error-pattern':
      return `${service} started logging errors that point at the cause`;
  }
}
