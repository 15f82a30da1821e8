import type { ClickHouseClient } from '@clickhouse/client';
import { ChangeFacts } from '@vigil/domain/change';

/** Where investigations look for deployments: the ClickHouse `changes` table (telemetry migration 4). */
export class ClickHouseChanges {
  constructor(private readonly client: ClickHouseClient, private readonly database: string) {}

  /** Idempotent: a redelivered change is the same ChangeId, collapsed by the ReplacingMergeTree. */
  async insert(change: ChangeFacts): Promise<void> {
    await this.client.insert({
      table: `\`${this.database}\`.changes`,
      format: 'JSONEachRow',
      values: [
        {
          Timestamp: change.at.replace('T', ' ').replace('Z', ''),
          ChangeId: change.changeId,
          ServiceName: change.service,
          Environment: change.environment,
          Kind: change.kind,
          Revision: change.revision,
          PreviousRevision: change.previousRevision ?? '',
          Source: change.source,
          Description: change.description ?? '',
          Url: change.url ?? '',
          Attributes: {},
        },
      ],
      clickhouse_settings: { insert_deduplication_token: `changes:${change.changeId}` },
    });
  }
}
