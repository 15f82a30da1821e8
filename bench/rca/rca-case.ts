import type { ServiceSeries } from '../../libs/investigation/src/onset/anomaly-onset';
import type { SpanEdge } from '../../libs/investigation/src/dependency/service-graph';

/** One labelled fault, in the shape every method in the benchmark receives (labels stay outside `input`). */
export interface RcaCase {
  readonly id: string;
  readonly dataset: 'PetShop' | 'Nezha';
  /** The row of the results table the case counts in (e.g. `low_traffic · latency`, `OnlineBoutique`). */
  readonly group: string;
  readonly input: {
    /** The service whose SLO fired (PetShop: PetSite; Nezha OB: frontend); absent when unknown. */
    readonly symptom?: string;
    /** Call graph (caller → callee); empty when the dataset has none. */
    readonly edges: readonly SpanEdge[];
    /** Every candidate service with its metrics (baseline + investigated window). */
    readonly services: readonly ServiceSeries[];
  };
  readonly label: { readonly rootCause: string; readonly faultType?: string };
}
