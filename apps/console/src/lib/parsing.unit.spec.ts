import { describe, expect, it } from '@jest/globals';
import { countdownText, formatDuration, hashPrefix, parseParam } from './format';
import { anomalySeries, outsideBand } from './series';
import { SseParser } from './sse-parser';
import { StoredEvent } from './types';

const event = (type: string, data: Record<string, unknown>, recordedAt = '2026-01-01T12:00:00Z'): StoredEvent => ({
  position: '1:1',
  streamId: 'anomaly-x',
  streamVersion: 0,
  eventId: 'e',
  type,
  data,
  metadata: {},
  recordedAt,
  hash: 'h',
});

describe('anomalySeries', () => {
  it('turns observations into points against a ±20% band around the expected value, in time order', () => {
    const series = anomalySeries([
      event('AnomalyUpdated', { expected: 10, actual: 30, score: 4, window: { start: '2026-01-01T12:04:00Z', end: '2026-01-01T12:05:00Z' } }),
      event('AnomalyDetected', { expected: 10, actual: 11, score: 1, window: { start: '2026-01-01T12:00:00Z', end: '2026-01-01T12:01:00Z' } }),
      event('AnomalyAcknowledged', { by: 'lee' }),
    ]);
    expect(series).toEqual([
      { t: Date.parse('2026-01-01T12:01:00Z'), value: 11, lower: 8, upper: 12 },
      { t: Date.parse('2026-01-01T12:05:00Z'), value: 30, lower: 8, upper: 12 },
    ]);
    expect(outsideBand(series)).toBe(1);
  });
});

describe('SseParser', () => {
  it('parses named events with ids across chunk boundaries and skips comments', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 2000\n: connected\n\nid: 5:9\nevent: VoteCast\nda')).toEqual([]);
    expect(parser.push('ta: {"a":1}\r\n\r\n')).toEqual([{ event: 'VoteCast', id: '5:9', data: '{"a":1}' }]);
    expect(parser.push('data: x\ndata: y\n\n')).toEqual([{ event: 'message', id: '5:9', data: 'x\ny' }]);
    expect(parser.lastEventId).toBe('5:9');
  });
});

describe('format', () => {
  it('counts down to the next escalation and says when the deadline passed', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(countdownText('2026-01-01T12:29:05Z', now)).toEqual({ text: 'escalates in 29m 05s', overdue: false });
    expect(countdownText('2026-01-01T11:59:50Z', now)).toEqual({ text: 'deadline passed 10s ago', overdue: true });
    expect(formatDuration(3_723_000)).toBe('1h 02m 03s');
  });

  it('keeps a parameter type when parsing an edit, and shortens hashes', () => {
    expect(parseParam('5', 3)).toBe(5);
    expect(() => parseParam('five', 3)).toThrow(/not a number/);
    expect(parseParam('false', true)).toBe(false);
    expect(parseParam('prod', 'staging')).toBe('prod');
    expect(parseParam('{"a":1}', { a: 0 })).toEqual({ a: 1 });
    expect(hashPrefix('sha256:abcdef0123456789')).toBe('abcdef012345');
  });
});
