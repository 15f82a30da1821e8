import type { FaultLabel } from './faults';
import type { Topology } from './topology';

/** What an investigation concluded and proposed, as read back from Vigil (InvestigationConcluded, RemediationProposed). */
export interface Outcome {
  readonly topHypothesis?: {
    readonly summary: string;
    readonly confidence?: number;
    readonly findingIds?: readonly string[];
    readonly suggestedAction?: { readonly kind: string; readonly target: string; readonly params?: Readonly<Record<string, unknown>> };
  };
  readonly proposedAction?: { readonly kind: string; readonly target: string };
}

export interface Verdict {
  /** The service the top hypothesis names (its action's target first, then its findings, then its summary). */
  readonly namedService: string | null;
  readonly rootCauseMatched: boolean;
  readonly proposedKind: string | null;
  readonly actionMatched: boolean;
}

/** Topology services mentioned in a text, longest names first so `payment` never matches inside `payment-provider`. */
export function servicesNamedIn(text: string, topology: Topology): string[] {
  const names = topology.services.map((service) => service.name).sort((a, b) => b.length - a.length);
  const found: Array<{ name: string; at: number }> = [];
  let rest = text;
  for (const name of names) {
    const pattern = new RegExp(`(^|[^A-Za-z0-9_-])${name.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}(?=$|[^A-Za-z0-9_-])`);
    const match = pattern.exec(rest);
    if (!match) continue;
    found.push({ name, at: match.index });
    rest = rest.replace(new RegExp(pattern.source, 'g'), (whole, lead: string) => `${lead}${' '.repeat(whole.length - lead.length)}`);
  }
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.name);
}

/** Compares what Vigil concluded with the scenario's label. */
export function judge(label: FaultLabel, outcome: Outcome, topology: Topology): Verdict {
  const top = outcome.topHypothesis;
  const sources = top ? [top.suggestedAction?.target ?? '', (top.findingIds ?? []).join(' '), top.summary] : [];
  const namedService = sources.map((text) => servicesNamedIn(text, topology)[0]).find((name) => name !== undefined) ?? null;
  const proposedKind = outcome.proposedAction?.kind ?? top?.suggestedAction?.kind ?? null;
  return { namedService, rootCauseMatched: namedService === label.rootCauseService, proposedKind, actionMatched: proposedKind === label.expectedAction };
}
