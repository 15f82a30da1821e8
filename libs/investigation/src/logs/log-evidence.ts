import { formatShare, round } from '../internal/numbers';
import { InstantInput, toMillis } from '../internal/time';
import { classifyLog, exceptionFingerprint, LogCategory, normalizeMessage } from './fingerprint';

/**
 * One log row, as the otel_logs query returns it (OTel attribute names in comments). A pre-aggregated row (GROUP BY
 * body, exception type…) sets `count`.
 */
export interface LogRow {
  readonly body: string;
  /** SeverityText: ERROR, WARN… */
  readonly severityText?: string;
  /** SeverityNumber: 17–20 ERROR, 21–24 FATAL. */
  readonly severityNumber?: number;
  readonly service?: string;
  readonly at?: InstantInput;
  /** exception.type */
  readonly exceptionType?: string;
  /** exception.message */
  readonly exceptionMessage?: string;
  /** exception.stacktrace */
  readonly exceptionStacktrace?: string;
  readonly traceId?: string;
  /** Rows this one stands for (default 1). */
  readonly count?: number;
}

export interface LogEvidenceOptions {
  /** Patterns and exception groups returned, best first. Default 5 each. */
  readonly limit: number;
  /** Frames kept in a fingerprint. Default 8. */
  readonly maxFrames: number;
  /** Groups with fewer rows are dropped. Default 2. */
  readonly minCount: number;
}

export const DEFAULT_LOG_OPTIONS: LogEvidenceOptions = { limit: 5, maxFrames: 8, minCount: 2 };

interface GroupBase {
  readonly count: number;
  /** Share of the window's error rows. */
  readonly share: number;
  /** Rows of the same group in the baseline; absent when no baseline was given. */
  readonly baselineCount?: number;
  /** 1 for a group absent from the baseline, 0.5 at the same rate, toward 0 when rarer now; 1 without a baseline. */
  readonly novelty: number;
  /** share × novelty, 0..1. */
  readonly score: number;
  readonly services: readonly string[];
  readonly firstSeen?: number;
  readonly lastSeen?: number;
  readonly category: LogCategory;
  readonly example: string;
  readonly traceIds: readonly string[];
}

export interface MessagePattern extends GroupBase {
  readonly template: string;
}

export interface ExceptionGroup extends GroupBase {
  /** FNV-1a of type + normalized frames. */
  readonly fingerprint: string;
  readonly type: string;
  readonly frames: readonly string[];
  /** The first normalized frame (where it was thrown). */
  readonly topFrame?: string;
}

export interface LogEvidenceReport {
  readonly totalRows: number;
  readonly errorRows: number;
  readonly messages: readonly MessagePattern[];
  readonly exceptions: readonly ExceptionGroup[];
}

const ERROR_TEXT = /^(?:err|error|fatal|crit|critical|alert|emerg|emergency|panic|severe)$/i;

/** ERROR or worse by number or text, or carrying an exception. */
export function isErrorRow(row: LogRow): boolean {
  if (row.severityNumber !== undefined && row.severityNumber >= 17) return true;
  if (row.severityText !== undefined && ERROR_TEXT.test(row.severityText.trim())) return true;
  return Boolean(row.exceptionType);
}

/**
 * Log evidence: the top error message templates and exception fingerprints of the anomaly's window, each compared
 * with the baseline's rate (a message that was already there at the same rate says little about this incident).
 */
export function analyzeLogs(
  input: { readonly rows: readonly LogRow[]; readonly baseline?: readonly LogRow[] },
  options: Partial<LogEvidenceOptions> = {},
): LogEvidenceReport {
  const o = { ...DEFAULT_LOG_OPTIONS, ...options };
  const errors = input.rows.filter(isErrorRow);
  const errorRows = total(errors);
  const baselineErrors = input.baseline?.filter(isErrorRow);
  const baselineRows = baselineErrors ? total(baselineErrors) : 0;

  const messageKey = (row: LogRow) => normalizeMessage(row.body);
  const exceptionKey = (row: LogRow) => (row.exceptionType ? exceptionFingerprint(row.exceptionType, row.exceptionStacktrace, o.maxFrames).id : undefined);

  const messages = group(errors, messageKey).map(([template, rows]) => ({
    template,
    ...summarize(rows, baselineErrors ? count(baselineErrors, (row) => messageKey(row) === template) : undefined, errorRows, baselineRows, template),
  }));
  const exceptions = group(errors, exceptionKey).map(([fingerprint, rows]) => {
    const first = rows[0];
    const print = exceptionFingerprint(first.exceptionType ?? '', first.exceptionStacktrace, o.maxFrames);
    const text = `${print.type} ${first.exceptionMessage ?? ''} ${first.body}`;
    return {
      fingerprint,
      type: print.type,
      frames: print.frames,
      ...(print.frames[0] !== undefined ? { topFrame: print.frames[0] } : {}),
      ...summarize(rows, baselineErrors ? count(baselineErrors, (row) => exceptionKey(row) === fingerprint) : undefined, errorRows, baselineRows, text),
    };
  });

  const best = <T extends GroupBase>(groups: T[]) =>
    groups.filter((entry) => entry.count >= o.minCount).sort((a, b) => b.score - a.score || b.count - a.count).slice(0, o.limit);
  return { totalRows: total(input.rows), errorRows, messages: best(messages), exceptions: best(exceptions) };
}

/** "NullPointerException at com.shop.Cart.total (120 errors, 64%, new since baseline)" */
export function describeGroup(entry: MessagePattern | ExceptionGroup): string {
  const what = 'fingerprint' in entry ? `${entry.type}${entry.topFrame ? ` ${entry.topFrame}` : ''}` : `"${entry.template}"`;
  const novelty = entry.baselineCount === undefined ? '' : entry.baselineCount === 0 ? ', new since baseline' : entry.novelty >= 0.75 ? ', up from baseline' : '';
  return `${what} (${entry.count} error${entry.count === 1 ? '' : 's'}, ${formatShare(entry.share)} of errors${novelty})`;
}

function summarize(rows: readonly LogRow[], baselineCount: number | undefined, errorRows: number, baselineRows: number, text: string): GroupBase {
  const n = total(rows);
  const share = errorRows === 0 ? 0 : n / errorRows;
  let novelty = 1;
  if (baselineCount !== undefined && baselineCount > 0 && baselineRows > 0) {
    const now = share;
    const before = baselineCount / baselineRows;
    novelty = now / (now + before);
  }
  const times = rows.map((row) => (row.at === undefined ? undefined : toMillis(row.at, 'log row at'))).filter((at): at is number => at !== undefined);
  return {
    count: n,
    share: round(share),
    ...(baselineCount !== undefined ? { baselineCount } : {}),
    novelty: round(novelty),
    score: round(share * novelty),
    services: [...new Set(rows.map((row) => row.service).filter((service): service is string => Boolean(service)))].sort(),
    ...(times.length > 0 ? { firstSeen: Math.min(...times), lastSeen: Math.max(...times) } : {}),
    category: classifyLog(text),
    example: rows[0].exceptionMessage ?? rows[0].body,
    traceIds: [...new Set(rows.map((row) => row.traceId).filter((id): id is string => Boolean(id)))].slice(0, 5),
  };
}

function group(rows: readonly LogRow[], key: (row: LogRow) => string | undefined): [string, LogRow[]][] {
  const groups = new Map<string, LogRow[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === undefined) continue;
    const list = groups.get(k) ?? [];
    list.push(row);
    groups.set(k, list);
  }
  return [...groups.entries()];
}

const weight = (row: LogRow) => (row.count !== undefined && Number.isFinite(row.count) && row.count >= 0 ? row.count : 1);
const total = (rows: readonly LogRow[]) => rows.reduce((sum, row) => sum + weight(row), 0);
const count = (rows: readonly LogRow[], match: (row: LogRow) => boolean) => total(rows.filter(match));
