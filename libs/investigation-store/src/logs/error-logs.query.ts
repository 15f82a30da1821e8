import { LogRow } from '@vigil/investigation';
import { ClickHouseReader, instantParam, toNumber } from '../clickhouse-reader';
import { InvestigationScope } from '../investigation-scope';

export interface ErrorLogsOptions {
  /** Error rows read from the anomalous window at most. Default 2 000. */
  readonly limit: number;
  /** Error rows sampled from the baseline hour at most (novelty needs only their shapes). Default 1 000. */
  readonly baselineLimit: number;
}

export const DEFAULT_ERROR_LOGS_OPTIONS: ErrorLogsOptions = { limit: 2_000, baselineLimit: 1_000 };

interface ErrorLogRow {
  readonly Body: string;
  readonly SeverityText: string;
  readonly SeverityNumber: number | string;
  readonly ServiceName: string;
  readonly at: number | string;
  readonly exceptionType: string;
  readonly exceptionMessage: string;
  readonly exceptionStacktrace: string;
  readonly TraceId: string;
  readonly weight: number | string;
}

/** ERROR or FATAL by number (≥ 17) or text, or carrying an exception. */
const ERROR_LOG = `(SeverityNumber >= 17 OR upper(SeverityText) IN ('ERROR', 'FATAL', 'CRITICAL') OR mapContains(LogAttributes, 'exception.type') OR mapContains(LogAttributes, 'exception.message'))`;

/** Log evidence's input: the service's error logs from the onset, and a sample of its error logs in the hour before. */
export class ErrorLogsQuery {
  private readonly options: ErrorLogsOptions;

  constructor(private readonly reader: ClickHouseReader, options: Partial<ErrorLogsOptions> = {}) {
    this.options = { ...DEFAULT_ERROR_LOGS_OPTIONS, ...options };
  }

  async gather(scope: InvestigationScope): Promise<{ rows: LogRow[]; baseline: LogRow[] }> {
    const [rows, baseline] = await Promise.all([
      this.read(scope.service, scope.onset, scope.end, this.options.limit),
      this.read(scope.service, scope.baselineStart, scope.onset, this.options.baselineLimit),
    ]);
    return { rows, baseline };
  }

  private async read(service: string, from: number, to: number, limit: number): Promise<LogRow[]> {
    const rows = await this.reader.rows<ErrorLogRow>(
      `SELECT Body, SeverityText, SeverityNumber, ServiceName, toUnixTimestamp64Milli(Timestamp) AS at,
              LogAttributes['exception.type'] AS exceptionType, LogAttributes['exception.message'] AS exceptionMessage,
              LogAttributes['exception.stacktrace'] AS exceptionStacktrace, TraceId, SampleWeight AS weight
       FROM ${this.reader.table('otel_logs')}
       WHERE ServiceName = {service:String} AND Timestamp >= ${instantParam('from')} AND Timestamp < ${instantParam('to')} AND ${ERROR_LOG}
       ORDER BY Timestamp
       LIMIT {limit:UInt32}`,
      { service, from, to, limit },
    );
    return rows.map((row) => ({
      body: row.Body,
      ...(row.SeverityText ? { severityText: row.SeverityText } : {}),
      severityNumber: toNumber(row.SeverityNumber),
      service: row.ServiceName,
      at: toNumber(row.at),
      ...(row.exceptionType ? { exceptionType: row.exceptionType } : {}),
      ...(row.exceptionMessage ? { exceptionMessage: row.exceptionMessage } : {}),
      ...(row.exceptionStacktrace ? { exceptionStacktrace: row.exceptionStacktrace } : {}),
      ...(row.TraceId ? { traceId: row.TraceId } : {}),
      count: toNumber(row.weight),
    }));
  }
}
