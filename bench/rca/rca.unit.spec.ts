import { parseCsv, parseNumber } from './csv';
import { hitAt, mulberry32, oursRanking, randomRanking, zScoreRanking } from './methods';
import { injectTime, parseNezhaTime, serviceOfPod } from './nezha';
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
});
