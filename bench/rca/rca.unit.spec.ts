import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, parseNumber } from './csv';
import { hitAt, mulberry32, oursRanking, randomRanking, zScoreRanking } from './methods';
import { injectTime, loadNezha, NEZHA_BASELINE_MS, NEZHA_WINDOW_BEFORE_MS, parseNezhaTime, serviceOfPod } from './nezha';
import type { RcaCase } from './rca-case';

const minute = (m: number) => Date.UTC(2025, 2, 1, 10, m);
const flat = Array.from({ length: 20 }, (_, i) => 10 + (i % 3));
const series = (values: number[]) => values.map((value, i) => ({ at: minute(i), value }));

/** frontend → checkout → payments; payments breaks first, checkout follows, search has a louder unrelated blip. */
const input: RcaCase['input'] = {
  symptom: 'frontend',
  edges: [
    { caller: 'frontend', callee: 'checkout' },
    { caller: 'checkout', callee: 'payments' },
    { caller: 'frontend', callee: 'search' },
  ],
  services: [
    { service: 'frontend', metrics: [{ name: 'latency', direction: 'up', baseline: flat, window: series([10, 10, 11, 60, 60]) }] },
    { service: 'checkout', metrics: [{ name: 'latency', direction: 'up', baseline: flat, window: series([10, 10, 80, 90, 90]) }] },
    { service: 'payments', metrics: [{ name: 'latency', direction: 'up', baseline: flat, window: series([10, 50, 70, 70, 70]) }] },
    { service: 'search', metrics: [{ name: 'latency', direction: 'up', baseline: flat, window: series([10, 10, 10, 10, 900]) }] },
  ],
};

describe('RCA bench helpers', () => {
  it('given quoted CSV with CRLF and empty cells, when parsed, then fields and missing samples come out right', () => {
    expect(parseCsv('a,"b,c",d\r\n1,,"x ""y"""\n')).toEqual([
      ['a', 'b,c', 'd'],
      ['1', '', 'x "y"'],
    ]);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('0.5')).toBe(0.5);
    expect(parseNumber('nan')).toBeNull();
  });

  it('given Nezha pod names and times, when read, then the service drops the hashes and the time is UTC', () => {
    expect(serviceOfPod('ts-basic-service-5dc8d4f9fd-46997')).toBe('ts-basic-service');
    expect(serviceOfPod('frontend-579b9bff58-t2dbm')).toBe('frontend');
    expect(parseNezhaTime('2022-08-22 03:51:19.799087274 +0000 UTC m=+0.305041286')).toBe(Date.UTC(2022, 7, 22, 3, 51, 19));
    expect(injectTime({ inject_time: '2023-01-29 08:43:04' })).toBe(Date.UTC(2023, 0, 29, 8, 43, 4));
  });

  it('given a fault that began in a dependency, when ranked, then ours names it first while the plain z-score follows the loudest series', () => {
    expect(oursRanking(input).services[0]).toBe('payments');
    expect(oursRanking(input).found).toBe(true);
    expect(zScoreRanking(input).services[0]).toBe('search');
  });

  it('given a seed, when random rankings are drawn, then they are permutations and reproducible', () => {
    const a = randomRanking(input, mulberry32(7)).services;
    const b = randomRanking(input, mulberry32(7)).services;
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual(['checkout', 'frontend', 'payments', 'search']);
  });

  it('given many draws, when the random top-1 hit rate is averaged, then it approaches 1/n', () => {
    const random = mulberry32(1);
    let hits = 0;
    for (let i = 0; i < 4000; i++) hits += hitAt(randomRanking(input, random).services, 'payments', 1);
    expect(hits / 4000).toBeGreaterThan(0.22);
    expect(hits / 4000).toBeLessThan(0.28);
  });

  it('given a ranking, when hit@k is taken, then only the first k count', () => {
    expect(hitAt(['a', 'b', 'c'], 'c', 2)).toBe(0);
    expect(hitAt(['a', 'b', 'c'], 'c', 3)).toBe(1);
  });

  describe('Nezha loader', () => {
    const HEADER =
      'Time,TimeStamp,PodName,CpuUsage(m),CpuUsageRate(%),MemoryUsage(Mi),MemoryUsageRate(%),SyscallRead,SyscallWrite,NetworkReceiveBytes,' +
      'NetworkTransmitBytes,PodClientLatencyP90(s),PodServerLatencyP90(s),PodClientLatencyP95(s),PodServerLatencyP95(s),PodClientLatencyP99(s),' +
      'PodServerLatencyP99(s),PodWorkload(Ops),PodSuccessRate(%),NodeCpuUsageRate(%),NodeMemoryUsageRate(%),NodeNetworkReceiveBytes';
    const start = Date.UTC(2023, 0, 29, 8, 0, 9);
    const inject = '2023-01-29 09:00:04';
    const at = (i: number) => new Date(start + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    let root: string;

    /**
     * One TrainTicket-like day, 70 one-minute samples: `ts-a-service` (the caller) shows the fault of its callee only
     * in its client latency, huge and after a flat baseline, as TT's client latency does; `ts-b-service` (the injected
     * pod) gets busy on the CPU. The label file names the pod with other hashes than the metric file.
     */
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'vigil-rca-nezha-'));
      const metric = join(root, 'rca_data', '2023-01-29', 'metric');
      mkdirSync(metric, { recursive: true });
      const pod = (name: string, row: (faulty: boolean) => { client?: number; cpu?: number }) => {
        const lines = [HEADER];
        for (let i = 0; i < 70; i++) {
          const faulty = start + i * 60_000 > Date.parse(`${inject.replace(' ', 'T')}Z`) && i < 64;
          const values = { cpu: 5 + (i % 3), client: 0.0046, server: 0.0235 + (i % 2) * 0.001, ...row(faulty) };
          lines.push(
            [`${at(i)}.5 +0000 UTC m=+${i * 60}`, (start + i * 60_000) / 1000, name, values.cpu, values.cpu / 5, 400, 20, 0, 0, 1000 + (i % 5) * 100, 30000,
              values.client, values.server, values.client, values.server, values.client, values.server, 0.1, 0, 12, 34, 29000].join(','),
          );
        }
        writeFileSync(join(metric, `${name}_metric.csv`), `${lines.join('\n')}\n`);
      };
      pod('ts-a-service-5dc8d4f9fd-46997', (faulty) => (faulty ? { client: 28.9 } : {}));
      pod('ts-b-service-7f8d7d756d-k7b9j', (faulty) => (faulty ? { cpu: 480 } : {}));
      writeFileSync(
        join(root, 'rca_data', '2023-01-29', '2023-01-29-fault_list.json'),
        JSON.stringify({ '09': [{ inject_time: inject, inject_timestamp: '1674954004', inject_pod: 'ts-b-service-7f8d7d756d-zzzzz', inject_type: 'cpu_contention' }] }),
      );
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const load = () => loadNezha(root, [{ day: '2023-01-29', system: 'TrainTicket' }]);

    it('given per-pod files, when loaded, then each pod is one service scored on its own columns only (no client latency, success rate or node columns)', () => {
      const [rcaCase] = load();
      expect(rcaCase.label).toEqual({ rootCause: 'ts-b-service', faultType: 'cpu_contention' });
      expect(rcaCase.input.services.map((series) => series.service)).toEqual(['ts-a-service', 'ts-b-service']);
      const names = rcaCase.input.services[0].metrics.map((metric) => metric.name);
      expect(names).toContain('PodServerLatencyP99(s)');
      expect(names).toContain('CpuUsage(m)');
      expect(names.filter((name) => /Client|SuccessRate|^Node/.test(name))).toEqual([]);
      expect(rcaCase.input.edges).toEqual([]);
    });

    it('given inject_time, when the window and baseline are cut, then they follow the metrics clock', () => {
      const cpu = load()[0].input.services[1].metrics.find((metric) => metric.name === 'CpuUsage(m)');
      const injectMs = Date.parse(`${inject.replace(' ', 'T')}Z`);
      expect(cpu?.window.length).toBe(7);
      expect(cpu?.window.every((point) => Number(point.at) > injectMs - NEZHA_WINDOW_BEFORE_MS)).toBe(true);
      expect(cpu?.baseline.length).toBe(NEZHA_BASELINE_MS / 60_000);
      expect(Math.max(...(cpu?.baseline ?? []).map(Number))).toBeLessThan(10);
    });

    it('given a caller whose client latency carries its callee\'s fault, when ranked without a graph, then the busy pod comes first', () => {
      const [rcaCase] = load();
      expect(oursRanking(rcaCase.input).services[0]).toBe('ts-b-service');
      expect(zScoreRanking(rcaCase.input).services[0]).toBe('ts-b-service');
    });
  });
});

