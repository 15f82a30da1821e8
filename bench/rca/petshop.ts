import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Direction, MetricSeries, ServiceSeries } from '../../libs/investigation/src/onset/anomaly-onset';
import type { SpanEdge } from '../../libs/investigation/src/dependency/service-graph';
import { parseCsv, parseNumber } from './csv';
import type { RcaCase } from './rca-case';

/**
 * PetShop (Hardt et al., CLeaR 2024; CC-BY-4.0): `dataset/<scenario>/graph.csv` (row calls column),
 * `noissue/metrics.csv` (normal period), `{train,test}/issue_N/{metrics.csv,target.json}` (5 × 5-min rows each).
 *
 * Baseline: the scenario's `noissue` period, as in the dataset's own protocol. The temporal scenarios lack it in
 * the stored snapshot, so there the baseline is every row before the SLO alert (`target.timestamp`) in all of the
 * scenario's issue windows (2 rows per issue, 16 in all): pre-fault data only, no root-cause label involved.
 * Window: the issue's 5 rows (about 10 min before the alert, 15 after). Metric: the alert's own signal
 * (`target.metric` and `target.agg`: latency Average, up is bad, or availability Average, down is bad) on every node,
 * as in Vigil, where an AnomalyDetected names its signal and the investigation traces that signal.
 */
export const PETSHOP_SCENARIOS = ['low_traffic', 'high_traffic', 'temporal_traffic1', 'temporal_traffic2'] as const;

const DIRECTION: Record<string, Direction> = { latency: 'up', availability: 'down', requests: 'both' };

interface Table {
  /** `node\u0000metric\u0000statistic` → column index */
  readonly columns: Map<string, number>;
  readonly nodes: readonly string[];
  readonly timestamps: readonly number[];
  readonly rows: readonly string[][];
}

function readTable(path: string): Table {
  const [nodeRow, metricRow, statRow, , ...rows] = parseCsv(readFileSync(path, 'utf8')).filter((row) => row.length > 1);
  const columns = new Map<string, number>();
  const nodes = new Set<string>();
  for (let i = 1; i < nodeRow.length; i++) {
    columns.set(`${nodeRow[i]}\u0000${metricRow[i]}\u0000${statRow[i]}`, i);
    nodes.add(nodeRow[i]);
  }
  return { columns, nodes: [...nodes], timestamps: rows.map((row) => Number(row[0])), rows };
}

function readGraph(path: string): SpanEdge[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8')).filter((row) => row.length > 1);
  const edges: SpanEdge[] = [];
  for (const row of rows) {
    for (let i = 1; i < row.length; i++) {
      const weight = Number(row[i]);
      if (Number.isFinite(weight) && weight !== 0) edges.push({ caller: row[0], callee: header[i], calls: weight });
    }
  }
  return edges;
}

interface Target {
  readonly target: { readonly node: string; readonly metric: string; readonly agg: string; readonly timestamp: number };
  readonly root_cause: { readonly node: string };
}

function issueDirs(root: string, scenario: string): { split: string; issue: string; dir: string }[] {
  const out: { split: string; issue: string; dir: string }[] = [];
  for (const split of ['train', 'test']) {
    const splitDir = join(root, scenario, split);
    if (!existsSync(splitDir)) continue;
    for (const issue of readdirSync(splitDir).sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1]))) {
      out.push({ split, issue, dir: join(splitDir, issue) });
    }
  }
  return out;
}

function column(table: Table, key: string, rowFilter: (index: number) => boolean): (number | null)[] {
  const index = table.columns.get(key);
  if (index === undefined) return [];
  const values: (number | null)[] = [];
  table.rows.forEach((row, i) => {
    if (rowFilter(i)) values.push(parseNumber(row[index]));
  });
  return values;
}

/** `root` is the `dataset/` folder. */
export function loadPetShop(root: string): RcaCase[] {
  const cases: RcaCase[] = [];
  for (const scenario of PETSHOP_SCENARIOS) {
    const edges = readGraph(join(root, scenario, 'graph.csv'));
    const issues = issueDirs(root, scenario).map((entry) => ({
      ...entry,
      table: readTable(join(entry.dir, 'metrics.csv')),
      target: JSON.parse(readFileSync(join(entry.dir, 'target.json'), 'utf8')) as Target,
    }));
    const noIssuePath = join(root, scenario, 'noissue', 'metrics.csv');
    const normal = existsSync(noIssuePath) ? readTable(noIssuePath) : undefined;
    const baselineOf = (key: string): (number | null)[] =>
      normal
        ? column(normal, key, () => true)
        : issues.flatMap(({ table, target }) => column(table, key, (i) => table.timestamps[i] < target.target.timestamp));

    for (const { split, issue, table, target } of issues) {
      const services: ServiceSeries[] = table.nodes.map((node) => {
        const metrics: MetricSeries[] = [];
        for (const [key] of table.columns) {
          const [keyNode, metric, statistic] = key.split('\u0000');
          if (keyNode !== node || metric !== target.target.metric || statistic !== target.target.agg) continue;
          const values = column(table, key, () => true);
          metrics.push({
            name: `${metric}.${statistic}`,
            direction: DIRECTION[metric] ?? 'both',
            baseline: baselineOf(key),
            window: values.map((value, i) => ({ at: table.timestamps[i] * 1000, value })),
          });
        }
        return { service: node, metrics };
      });
      const group = `${scenario.startsWith('temporal') ? 'temporal' : scenario} · ${target.target.metric}`;
      cases.push({
        id: `petshop/${scenario}/${split}/${issue}`,
        dataset: 'PetShop',
        group,
        input: { symptom: target.target.node, edges, services },
        label: { rootCause: target.root_cause.node },
      });
    }
  }
  return cases;
}
