import { SpanEdge } from '@vigil/investigation';
import { ClickHouseReader, instantParam, toNumber } from '../clickhouse-reader';
import { ERROR_SPAN } from '../bubbleup/span-attribute-counts.query';
import { InvestigationScope } from '../investigation-scope';

/**
 * Dependency tracing's input: caller → callee edges between services, from each span joined to its parent in the
 * same trace (weighted calls and errors), over the series range (shortly before the onset to the window's end).
 */
export class ServiceEdgesQuery {
  constructor(private readonly reader: ClickHouseReader) {}

  async gather(scope: InvestigationScope): Promise<SpanEdge[]> {
    const spans = (columns: string, where = '') =>
      `SELECT ${columns} FROM ${this.reader.table('otel_traces')} WHERE Timestamp >= ${instantParam('from')} AND Timestamp < ${instantParam('to')}${where}`;
    const rows = await this.reader.rows<{ caller: string; callee: string; calls: number | string; errors: number | string }>(
      `SELECT parent.ServiceName AS caller, child.ServiceName AS callee, sum(child.SampleWeight) AS calls, sumIf(child.SampleWeight, child.error) AS errors
       FROM (${spans(`TraceId, ParentSpanId, ServiceName, SampleWeight, ${ERROR_SPAN} AS error`, " AND ParentSpanId != ''")}) AS child
       INNER JOIN (${spans('TraceId, SpanId, ServiceName')}) AS parent ON child.TraceId = parent.TraceId AND child.ParentSpanId = parent.SpanId
       WHERE child.ServiceName != parent.ServiceName
       GROUP BY caller, callee
       ORDER BY caller, callee`,
      { from: scope.seriesStart, to: scope.end },
    );
    return rows.map((row) => ({ caller: row.caller, callee: row.callee, calls: toNumber(row.calls), errors: toNumber(row.errors) }));
  }
}
