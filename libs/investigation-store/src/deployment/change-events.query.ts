import { ChangeEvent, DEFAULT_DEPLOYMENT_OPTIONS } from '@vigil/investigation';
import { ClickHouseReader, instantParam } from '../clickhouse-reader';
import { InvestigationScope } from '../investigation-scope';

export interface ChangeEventsOptions {
  /** How far before the onset changes are read. Default deployment correlation's lookback (2 h). */
  readonly lookbackMs: number;
  /** Changes up to this long after the onset still count (clock skew between sources). Default 60 s. */
  readonly skewToleranceMs: number;
  /** At most this many changes. Default 500. */
  readonly limit: number;
}

export const DEFAULT_CHANGE_EVENTS_OPTIONS: ChangeEventsOptions = {
  lookbackMs: DEFAULT_DEPLOYMENT_OPTIONS.lookbackMs,
  skewToleranceMs: DEFAULT_DEPLOYMENT_OPTIONS.skewToleranceMs,
  limit: 500,
};

interface ChangeRow {
  readonly at: string;
  readonly ChangeId: string;
  readonly ServiceName: string;
  readonly Kind: string;
  readonly Revision: string;
  readonly PreviousRevision: string;
  readonly Source: string;
}

/**
 * Deployment correlation's input: the `changes` rows of the service and the services it depends on, from the lookback
 * before the onset to the window's end (deployment correlation keeps those before each service's own onset), one per ChangeId (a redelivered webhook is a duplicate until merges run).
 */
export class ChangeEventsQuery {
  private readonly options: ChangeEventsOptions;

  constructor(private readonly reader: ClickHouseReader, options: Partial<ChangeEventsOptions> = {}) {
    this.options = { ...DEFAULT_CHANGE_EVENTS_OPTIONS, ...options };
  }

  /** `services`: the anomalous service and its dependencies (from the service graph). */
  async gather(scope: InvestigationScope, services: readonly string[]): Promise<ChangeEvent[]> {
    const rows = await this.reader.rows<ChangeRow>(
      `SELECT toString(toUnixTimestamp64Milli(Timestamp)) AS at, ChangeId, ServiceName, Kind, Revision, PreviousRevision, Source
       FROM ${this.reader.table('changes')} FINAL
       WHERE ServiceName IN {services:Array(String)} AND Timestamp >= ${instantParam('from')} AND Timestamp <= ${instantParam('to')}
       ORDER BY Timestamp, ChangeId
       LIMIT {limit:UInt32}`,
      // Up to the window's end: a dependency's own anomaly (against which its changes are correlated) may begin after
      // the symptom's onset.
      { services: [...new Set([scope.service, ...services])], from: scope.onset - this.options.lookbackMs, to: Math.max(scope.end, scope.onset + this.options.skewToleranceMs), limit: this.options.limit },
    );
    return rows.map((row) => ({
      service: row.ServiceName,
      at: new Date(Number(row.at)).toISOString(),
      revision: row.Revision,
      kind: row.Kind,
      ...(row.PreviousRevision ? { previousRevision: row.PreviousRevision } : {}),
      ...(row.Source ? { source: row.Source } : {}),
      ...(row.ChangeId ? { id: row.ChangeId } : {}),
    }));
  }
}
