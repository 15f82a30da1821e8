import { createCsvScorer, splitCsvLine } from './csv';
import { createDetector } from './detector';

describe('createCsvScorer', () => {
  it('echoes timestamp and value and appends the detector score, in order', () => {
    const scorer = createCsvScorer();
    const detector = createDetector();
    expect(scorer.line('timestamp,value')).toBeUndefined();
    for (let i = 0; i < 400; i++) {
      const timestamp = `2024-01-01 ${String(Math.floor(i / 12) % 24).padStart(2, '0')}:${String((i % 12) * 5).padStart(2, '0')}:00`;
      const value = i === 350 ? 90 : 10 + (i % 3);
      const score = detector.update(Date.UTC(2024, 0, 1, Math.floor(i / 12) % 24, (i % 12) * 5), value).score;
      const [t, v, s] = (scorer.line(`${timestamp},${value}`) as string).split(',');
      expect([t, v]).toEqual([timestamp, String(value)]);
      expect(Number(s)).toBeCloseTo(score, 8);
    }
    expect(scorer.rows).toBe(400);
  });

  it('finds the columns by header name and tolerates quotes, CRLF remnants and a BOM', () => {
    const scorer = createCsvScorer();
    expect(scorer.line('\uFEFF"host","value","timestamp"')).toBeUndefined();
    expect(scorer.line('"a,b",7,2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00Z,7,0');
  });

  it('uses the first two columns without a header, and scores unusable rows 0 without learning from them', () => {
    const scorer = createCsvScorer();
    expect(scorer.line('1700000000,5')).toBe('1700000000,5,0');
    expect(scorer.line('1700000300,')).toBe('1700000300,,0');
    expect(scorer.line('not a time,5')).toBe('not a time,5,0');
    expect(scorer.line('')).toBeUndefined();
    expect(scorer.skipped).toBe(2);
  });

  it('splits quoted cells', () => {
    expect(splitCsvLine('a,"b,c","d""e"')).toEqual(['a', 'b,c', 'd"e']);
  });
});
