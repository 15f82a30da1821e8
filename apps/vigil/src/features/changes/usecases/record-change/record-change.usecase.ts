import { v5 as uuidv5 } from 'uuid';
import { CommandBus } from '@vigil/application';
import { ChangeFacts } from '@vigil/domain/change';
import { ClickHouseChanges } from '../../clickhouse-changes';

const CHANGE_NAMESPACE = '6f1c0a52-3b7e-4f0e-9a51-1f2d3c4b5a69';

export interface RecordedChange {
  readonly changeId: string;
  /** The `change-<id>` aggregate holding DeploymentObserved. */
  readonly id: string;
  /** False when this change was already recorded (a redelivery). */
  readonly created: boolean;
  /** False when no ClickHouse is configured (the event is still recorded). */
  readonly stored: boolean;
}

/**
 * A change event becomes `DeploymentObserved` (the audit trail, and what investigations cite) and a row of the
 * ClickHouse `changes` table (what the deployment-correlation agent queries). The event goes first: if ClickHouse
 * then fails the caller answers 503, the source retries, and the retry appends nothing twice.
 */
export class RecordChangeUseCase {
  constructor(private readonly bus: CommandBus, private readonly changes?: ClickHouseChanges) {}

  async execute(change: ChangeFacts, meta: { actor: string; correlationId: string; now: string }): Promise<RecordedChange> {
    const id = uuidv5(change.changeId, CHANGE_NAMESPACE);
    const result = await this.bus.send('change', id, {
      type: 'ObserveDeployment',
      data: change,
      metadata: { now: meta.now, actor: meta.actor, correlationId: meta.correlationId, idempotencyKey: `observe:${change.changeId}` },
    });
    await this.changes?.insert(change);
    return { changeId: change.changeId, id, created: !result.replayed && result.events.length > 0, stored: this.changes !== undefined };
  }
}
