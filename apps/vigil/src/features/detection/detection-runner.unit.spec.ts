import pino from 'pino';
import { RedMinute } from '@vigil/detection';
import { DetectionRunner, RedMinuteSource } from './detection-runner';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 30);
const OPEN_MINUTE = Date.UTC(2026, 10, 21, 12, 0);

/** A RED source over fixed minutes, recording what the runner asked for. */
function sourceOf(minutes: RedMinute[]): RedMinuteSource & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    reads,
    async keys() {
      const newest = new Map<string, RedMinute>();
      for (const m of minutes) if ((newest.get(m.service)?.minute ?? -1) < m.minute) newest.set(m.service, m);
      return [...newest.values()].map((m) => ({ service: m.service, operation: m.operation, newest: m.minute }));
    },
    async minutes(from, to) {
      reads.push([from, to]);
      return minutes.filter((m) => m.minute >= from && m.minute < to);
    },
  };
}

describe('DetectionRunner reading RED minutes', () => {
  it('reads the closed minutes of a series whose newest minute is still open (live traffic), and not the open one', async () => {
    const minutes: RedMinute[] = Array.from({ length: 41 }, (_, i) => ({
      service: 'cart', operation: 'GET /', minute: OPEN_MINUTE - (40 - i) * MIN, requests: 100, errors: 0, p95Ms: 50, p99Ms: 80,
    }));
    const source = sourceOf(minutes);
    const runner = new DetectionRunner({ source, bus: {} as never, pool: {} as never, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    expect(runner.stats.minutes).toBe(40);
    expect(source.reads.at(-1)?.[1]).toBe(OPEN_MINUTE);
    await runner.tick();
    // Nothing new closed: the series is not read again.
    expect(source.reads).toHaveLength(1);
  });

  it('leaves a series\' newest minute alone while it may still be filling (history being sent), and reads it once later data lands', async () => {
    const minute = (i: number): RedMinute => ({ service: 'cart', operation: 'GET /', minute: OPEN_MINUTE - 60 * MIN + i * MIN, requests: 100, errors: 0, p95Ms: 50, p99Ms: 80 });
    const landed = Array.from({ length: 35 }, (_, i) => minute(i));
    const source = sourceOf(landed);
    const runner = new DetectionRunner({ source, bus: {} as never, pool: {} as never, slos: [], logger: pino({ level: 'silent' }), intervalMs: 1000, clock: () => NOW });
    await runner.tick();
    expect(runner.stats.minutes).toBe(34);
    landed.push(minute(35));
    await runner.tick();
    expect(runner.stats.minutes).toBe(35);
  });
});
