/**
 * Published results, quoted (not re-run) from the dataset READMEs in ../shared/datasets/rca, which cite their sources.
 */

/**
 * PetShop: anomaly traversal with a MedianDeviation (MAD) scorer, threshold 5 — the repo's notebook
 * `code/RCA-Dataset-Eval.ipynb` (amazon-science/petshop-root-cause-analysis @ 1c5992d; Hardt et al., CLeaR 2024,
 * arXiv:2311.04806). Keyed by `<scenario> · <target metric>` as the bench groups cases. `n` counts train + test.
 */
export const PETSHOP_PUBLISHED: Readonly<Record<string, { n: number; empty: number; top1: number; top3: number; specificity: number }>> = {
  'low_traffic · latency': { n: 14, empty: 0.21, top1: 0.571, top3: 0.571, specificity: 0.167 },
  'low_traffic · availability': { n: 12, empty: 0, top1: 0.833, top3: 1.0, specificity: 1.0 },
  'high_traffic · latency': { n: 14, empty: 0.14, top1: 0.571, top3: 0.786, specificity: 0.333 },
  'high_traffic · availability': { n: 12, empty: 0, top1: 0.667, top3: 1.0, specificity: 1.0 },
  'temporal · latency': { n: 8, empty: 0, top1: 1.0, top3: 1.0, specificity: 0.6 },
  'temporal · availability': { n: 8, empty: 0, top1: 0.75, top3: 1.0, specificity: 1.0 },
};

export const PETSHOP_SOURCE =
  'MAD anomaly traversal (threshold 5), code/RCA-Dataset-Eval.ipynb in amazon-science/petshop-root-cause-analysis @1c5992d (Hardt et al., CLeaR 2024)';

/** Nezha (Yu et al., ESEC/FSE 2023), Table 3, service level, AS@k in % (OB = OnlineBoutique, TT = TrainTicket). */
export const NEZHA_PUBLISHED: readonly { method: string; ob: readonly [number, number, number]; tt: readonly [number, number, number] }[] = [
  { method: 'MicroScope (metrics)', ob: [12.5, 41.07, 55.35], tt: [17.78, 26.67, 35.56] },
  { method: 'MicroRCA (metrics)', ob: [16.07, 62.5, 92.75], tt: [20.0, 31.11, 44.44] },
  { method: 'SBLD (logs)', ob: [19.64, 23.21, 25.0], tt: [15.56, 22.22, 24.44] },
  { method: 'LogFaultFlagger (logs)', ob: [19.64, 21.42, 23.21], tt: [17.78, 24.44, 24.44] },
  { method: 'MicroRank (traces)', ob: [41.07, 48.21, 62.5], tt: [15.56, 24.44, 35.56] },
  { method: 'TraceAnomaly (traces)', ob: [30.35, 33.92, 48.21], tt: [13.33, 28.89, 33.33] },
  { method: 'PDiagnose (multi-source)', ob: [41.07, 73.21, 82.14], tt: [8.89, 13.33, 22.22] },
  { method: 'Nezha w/o logs (metrics+traces)', ob: [64.28, 64.28, 64.28], tt: [42.22, 44.44, 44.44] },
  { method: 'Nezha (metrics+logs+traces)', ob: [92.86, 96.43, 96.43], tt: [86.67, 97.78, 97.78] },
];

export const NEZHA_SOURCE = 'Nezha, Yu et al., ESEC/FSE 2023, Table 3 (service level), as quoted in datasets/rca/nezha/README.md';
