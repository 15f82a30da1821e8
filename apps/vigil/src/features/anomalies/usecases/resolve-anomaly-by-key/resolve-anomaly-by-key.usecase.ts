import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { AnomalyResolution } from '@vigil/domain/anomaly';
import { refusalOf } from '@vigil/saga-host';

export interface ResolveByKeyInput {
  /** The dedup key ReportAnomalyUseCase used: `fingerprint:<fp>` or JSON [service, operation, signal]. */
  readonly key: string;
  readonly how: AnomalyResolution;
  readonly note: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly now: string;
  /** Repeating a resolution with the same key appends nothing. */
  readonly idempotencyKey: string;
}

/**
 * Resolves the current anomaly of a dedup key, if it is still live. A key with no anomaly, or one already resolved
 * (by a person, or by a remediation), is not an error: the source only says the signal is back.
 */
export class ResolveAnomalyByKeyUseCase {
  constructor(private readonly bus: CommandBus, private readonly pool: Pool) {}

  async execute(input: ResolveByKeyInput): Promise<{ anomalyId?: string; resolved: boolean }> {
    const { rows } = await this.pool.query<{ anomaly_id: string }>(`SELECT anomaly_id FROM anomaly_keys WHERE dedup_key = $1`, [input.key]);
    const anomalyId = rows[0]?.anomaly_id;
    if (!anomalyId) return { resolved: false };
    const result = await this.bus
      .send('anomaly', anomalyId, {
        type: 'ResolveAnomaly',
        data: { anomalyId, how: input.how, note: input.note },
        metadata: { now: input.now, actor: input.actor, correlationId: input.correlationId, idempotencyKey: input.idempotencyKey.slice(0, 128) },
      })
      .catch((error: unknown) => {
        if (!refusalOf(error)) throw error;
        return undefined;
      });
    return { anomalyId, resolved: Boolean(result && !result.replayed && result.events.length) };
  }
}

/** The dedup key of a detector's anomaly: one open anomaly per (service, operation, signal). */
export const detectionKey = (service: string, operation: string, signal: string): string => JSON.stringify([service, operation, signal]);
