import { createDetector, DEFAULT_PARAMS, DetectorParams } from './detector';
import { parseTimestamp } from './timestamps';

export const CSV_OUTPUT_HEADER = 'timestamp,value,anomaly_score';

/** Splits one CSV line, honouring double quotes ("a,b" and "" escapes). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

export interface CsvScorer {
  /** The `timestamp,value,anomaly_score` row for one input line, or undefined for a header or blank line. */
  line(text: string): string | undefined;
  readonly rows: number;
  /** Rows without a usable timestamp or value: they score 0 and do not teach the detector. */
  readonly skipped: number;
}

/**
 * Scores `timestamp,value` CSV lines in order with one detector. A header naming `timestamp` and `value` picks
 * those columns (any order, extra columns ignored); without one the first two columns are used. Timestamps and
 * values are echoed as written; scores are printed with up to 9 decimals.
 */
export function createCsvScorer(params: DetectorParams = DEFAULT_PARAMS): CsvScorer {
  const detector = createDetector(params);
  let columns: { timestamp: number; value: number } | undefined;
  let rows = 0;
  let skipped = 0;
  return {
    line(text) {
      const line = text.replace(/^\uFEFF/, '');
      if (!line.trim()) return undefined;
      const cells = splitCsvLine(line).map((cell) => cell.trim());
      if (!columns) {
        const names = cells.map((cell) => cell.toLowerCase());
        const timestamp = names.indexOf('timestamp');
        const value = names.indexOf('value');
        if (timestamp >= 0 && value >= 0) {
          columns = { timestamp, value };
          return undefined;
        }
        columns = { timestamp: 0, value: 1 };
        if (Number.isNaN(parseTimestamp(cells[0] ?? '')) && Number.isNaN(Number(cells[1]))) return undefined;
      }
      const timestampText = cells[columns.timestamp] ?? '';
      const valueText = cells[columns.value] ?? '';
      const timestamp = parseTimestamp(timestampText);
      const value = valueText === '' ? NaN : Number(valueText);
      rows++;
      let score = 0;
      if (Number.isFinite(timestamp) && Number.isFinite(value)) score = detector.update(timestamp, value).score;
      else skipped++;
      return `${timestampText},${valueText},${score === 0 ? '0' : String(Number(score.toFixed(9)))}`;
    },
    get rows() {
      return rows;
    },
    get skipped() {
      return skipped;
    },
  };
}
