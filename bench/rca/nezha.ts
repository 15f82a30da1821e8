import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Direction, MetricSeries, ServiceSeries } from '../../libs/investigation/src/onset/anomaly-onset';
import type { SpanEdge } from '../../libs/investigation/src/dependency/service-graph';
import { parseCsv, parseNumber } from './csv';
import type { RcaCase } from './rca-case';

/**
 * Nezha (Yu et al., ESEC/FSE 2023; MIT): `rca_data/<day>/<day>-fault_list.json` and per-pod 1-minute metrics.
 *
 * Window: the samples in (inject − 2 min, inject + 5 min]; it starts before the fault, as an investigation's window
 * starts before the anomaly, so a condition that was already there is not taken for this incident's onset.
 * Baseline: the 30 min before the window, the "window before inject_timestamp" the dataset README names as the
 * normal period (faults ~8 min apart last ~4 min, so an earlier fault can sit in it; median/MAD shrug most of that off). Per-pod metrics only (node-level ones describe
 * the host, shared by every pod on it), and only the pod's own: see {@link NEZHA_POD_METRICS}. OnlineBoutique also has the call graph (`dependency.csv`) and caller-side
 * latency per edge (`source_50.csv`, derived from traces), scored on the callee as `in:<caller>`; TrainTicket has
 * neither, so there the walk has no edges.
 */
export const NEZHA_WINDOW_BEFORE_MS = 2 * 60_000;
export const NEZHA_WINDOW_AFTER_MS = 5 * 60_000;
export const NEZHA_BASELINE_MS = 30 * 60_000;

export interface NezhaDay {
  readonly day: string;
  readonly system: 'OnlineBoutique' | 'TrainTicket';
}

export const NEZHA_DAYS: readonly NezhaDay[] = [
  { day: '2022-08-22', system: 'OnlineBoutique' },
  { day: '2022-08-23', system: 'OnlineBoutique' },
  { day: '2023-01-29', system: 'TrainTicket' },
  { day: '2023-01-30', system: 'TrainTicket' },
];

/**
 * The per-pod columns scored on the pod's service, with the direction that is bad. Left out, for every case of both
 * systems:
 * * `PodClientLatencyP90/P95/P99(s)`: the latency of the calls the pod makes, i.e. of its callees (their server time
 *   plus the network), not of the pod. Scored on the pod it blames every caller of a slow service. On TrainTicket its
 *   excursions (1 s to 3,600 s, up to the top histogram bucket) are as frequent outside the fault
 *   windows as inside (8-12% of service-minutes either way), and it was the winning signal of 33 of the 45 top-1
 *   services. Where a call graph exists (OnlineBoutique) the caller-side latency of each edge (`source_50.csv`) is
 *   scored on the callee instead (`in:<caller>`).
 * * `PodSuccessRate(%)`: 0 in every row of every pod file of the four days (not collected); a 0 is not a success rate.
 * * `Node*`: the host's, shared by every pod on it.
 * Syscall and network columns are per-second rates already (no monotonic runs; they go up and down about equally
 * often), so they are not differenced.
 */
export const NEZHA_POD_METRICS: Readonly<Record<string, Direction>> = {
  'CpuUsage(m)': 'up',
  'CpuUsageRate(%)': 'up',
  'MemoryUsage(Mi)': 'up',
  'MemoryUsageRate(%)': 'up',
  SyscallRead: 'both',
  SyscallWrite: 'both',
  NetworkReceiveBytes: 'both',
  NetworkTransmitBytes: 'both',
  'PodServerLatencyP90(s)': 'up',
  'PodServerLatencyP95(s)': 'up',
  'PodServerLatencyP99(s)': 'up',
  'PodWorkload(Ops)': 'both',
};

interface Fault {
  readonly inject_time: string;
  readonly inject_timestamp: string;
  readonly inject_pod: string;
  readonly inject_type: string;
}

/** `frontend-579b9bff58-t2dbm` → `frontend` (ReplicaSet hash and pod suffix removed). */
export function serviceOfPod(pod: string): string {
  return pod.split('-').slice(0, -2).join('-');
}

/** `2022-08-22 03:51:19.799087274 +0000 UTC m=+0.305041286` → epoch ms (the `Time` column; `TimeStamp` has a quirk). */
export function parseNezhaTime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!match) return NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * When the fault was injected, on the metrics' clock: `inject_time` read as UTC. In TrainTicket's 2023-01-29 list,
 * 24 of 28 `inject_timestamp` values are about 8 h off (a time-zone slip, give or take a few minutes);
 * `inject_time` agrees with the metric files there (the CPU faults show it), and elsewhere the two agree within a
 * minute.
 */
export function injectTime(fault: { readonly inject_time: string }): number {
  return parseNezhaTime(fault.inject_time);
}

interface Samples {
  readonly times: readonly number[];
  readonly columns: ReadonlyMap<string, readonly (number | null)[]>;
}

function readSamples(path: string, wanted: (name: string) => boolean): Samples {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8')).filter((row) => row.length > 1);
  const timeIndex = header.findIndex((name) => name.toLowerCase() === 'time');
  const columns = new Map<string, (number | null)[]>();
  header.forEach((name, index) => {
    if (wanted(name)) columns.set(name, rows.map((row) => parseNumber(row[index])));
  });
  return { times: rows.map((row) => parseNezhaTime(row[timeIndex])), columns };
}

function slice(samples: Samples, name: string, from: number, to: number): { at: number; value: number | null }[] {
  const values = samples.columns.get(name) ?? [];
  const out: { at: number; value: number | null }[] = [];
  samples.times.forEach((at, i) => {
    if (at > from && at <= to) out.push({ at, value: values[i] ?? null });
  });
  return out;
}

/** `root` is the `nezha/` folder. */
export function loadNezha(root: string, days: readonly NezhaDay[] = NEZHA_DAYS): RcaCase[] {
  const cases: RcaCase[] = [];
  for (const { day, system } of days) {
    const dir = join(root, 'rca_data', day);
    const metricDir = join(dir, 'metric');
    const pods = readdirSync(metricDir)
      .filter((file) => file.endsWith('_metric.csv'))
      .sort()
      .map((file) => ({ service: serviceOfPod(file.slice(0, -'_metric.csv'.length)), samples: readSamples(join(metricDir, file), (name) => name in NEZHA_POD_METRICS) }));
    const known = new Set(pods.map((pod) => pod.service));

    const dependencyPath = join(metricDir, 'dependency.csv');
    const edges: SpanEdge[] = existsSync(dependencyPath)
      ? parseCsv(readFileSync(dependencyPath, 'utf8'))
          .slice(1)
          .filter((row) => row.length >= 2 && known.has(row[0]) && known.has(row[1]))
          .map((row) => ({ caller: row[0], callee: row[1], calls: Number(row[2] ?? 1) }))
      : [];
    const edgeLatencyPath = join(metricDir, 'source_50.csv');
    const edgeLatency = existsSync(edgeLatencyPath) ? readSamples(edgeLatencyPath, (name) => name.includes('_')) : undefined;
    const incoming = new Map<string, string[]>();
    for (const name of edgeLatency?.columns.keys() ?? []) {
      const [caller, callee] = name.split('_');
      if (!known.has(caller) || !known.has(callee)) continue;
      incoming.set(callee, [...(incoming.get(callee) ?? []), name]);
    }

    const faults = Object.values(JSON.parse(readFileSync(join(dir, `${day}-fault_list.json`), 'utf8')) as Record<string, Fault[]>)
      .flat();
    faults.sort((a, b) => injectTime(a) - injectTime(b));
    faults.forEach((fault, index) => {
      const inject = injectTime(fault);
      const windowStart = inject - NEZHA_WINDOW_BEFORE_MS;
      const series = (samples: Samples, column: string, name: string, direction: Direction): MetricSeries => ({
        name,
        direction,
        baseline: slice(samples, column, windowStart - NEZHA_BASELINE_MS, windowStart).map((point) => point.value),
        window: slice(samples, column, windowStart, inject + NEZHA_WINDOW_AFTER_MS),
      });
      const services: ServiceSeries[] = pods.map(({ service, samples }) => ({
        service,
        metrics: [
          ...Object.entries(NEZHA_POD_METRICS).map(([column, direction]) => series(samples, column, column, direction)),
          ...(edgeLatency ? (incoming.get(service) ?? []).map((column) => series(edgeLatency, column, `in:${column.split('_')[0]}`, 'up')) : []),
        ],
      }));
      cases.push({
        id: `nezha/${day}/${String(index).padStart(2, '0')}-${serviceOfPod(fault.inject_pod)}-${fault.inject_type}`,
        dataset: 'Nezha',
        group: system,
        input: { ...(edges.length > 0 ? { symptom: 'frontend' } : {}), edges, services },
        label: { rootCause: serviceOfPod(fault.inject_pod), faultType: fault.inject_type },
      });
    });
  }
  return cases;
}
