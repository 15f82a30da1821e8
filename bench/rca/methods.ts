import { buildServiceGraph } from '../../libs/investigation/src/dependency/service-graph';
import { DEFAULT_TRACE_OPTIONS, traceRootCause } from '../../libs/investigation/src/dependency/root-cause';
import { DEFAULT_ONSET_OPTIONS, scoreService, ServiceAnomalyScore } from '../../libs/investigation/src/onset/anomaly-onset';
import type { RcaCase } from './rca-case';

/**
 * The rankings compared. One parameter set for every case of both datasets: the library defaults
 * (robust z ≥ 5 is anomalous, onsets within 60 s are simultaneous).
 */
export const PARAMETERS = { onset: DEFAULT_ONSET_OPTIONS, trace: DEFAULT_TRACE_OPTIONS } as const;

export interface Ranking {
  /** Best first; every candidate service appears once. */
  readonly services: readonly string[];
  /** False when the method found nothing anomalous (the ranking is then a fallback order). */
  readonly found: boolean;
}

function scores(input: RcaCase['input']): ServiceAnomalyScore[] {
  return input.services.map((series) => scoreService(series, PARAMETERS.onset));
}

/** Ours: per-service robust z-scores and onsets, then the walk from the symptom to the deepest earliest anomaly. */
export function oursRanking(input: RcaCase['input']): Ranking {
  const scored = scores(input);
  const graph = buildServiceGraph(input.edges, scored.map((score) => score.service));
  const trace = traceRootCause({ graph, anomalies: scored, ...(input.symptom ? { symptom: input.symptom } : {}) }, PARAMETERS.trace);
  const candidates = new Set(input.services.map((series) => series.service));
  return { services: trace.candidates.map((candidate) => candidate.service).filter((service) => candidates.has(service)), found: trace.top !== undefined };
}

/** Simple z-score: services by their largest robust z, no graph, no onsets. */
export function zScoreRanking(input: RcaCase['input']): Ranking {
  const scored = scores(input).sort((a, b) => b.maxZ - a.maxZ || (a.service < b.service ? -1 : 1));
  return { services: scored.map((score) => score.service), found: scored.some((score) => score.maxZ >= PARAMETERS.onset.threshold) };
}

/** Mulberry32: a small seeded PRNG, so the random baseline is reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random order of the candidate services (Fisher–Yates). */
export function randomRanking(input: RcaCase['input'], random: () => number): Ranking {
  const services = input.services.map((series) => series.service);
  for (let i = services.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [services[i], services[j]] = [services[j], services[i]];
  }
  return { services, found: true };
}

/** 1 when the truth is among the first k, else 0. */
export function hitAt(ranking: readonly string[], truth: string, k: number): number {
  return ranking.slice(0, k).includes(truth) ? 1 : 0;
}
