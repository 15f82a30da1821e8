import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { AnomalySeverity } from '@vigil/domain/anomaly';
import { detectionKey } from '../resolve-anomaly-by-key/resolve-anomaly-by-key.usecase';

export interface ReportAnomalyInput {
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  readonly expected: number;
  readonly actual: number;
  readonly score: number;
  readonly severity: AnomalySeverity;
  readonly window: { readonly start: string; readonly end: string };
  readonly source?: string;
  readonly fingerprint?: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly now: string;
}

/**
 * One open anomaly per (service, operation, signal): a repeat updates the open one. `anomaly_keys` maps each key
 * to its current anomaly id, claimed atomically, so two reports racing for a new key still open one anomaly.
 */
export class ReportAnomalyUseCase {
  constructor(
    private readonly bus: CommandBus,
    private readonly pool: Pool,
  ) {}

  async execute(input: ReportAnomalyInput): Promise<{ id: string; created: boolean }> {
    const key = input.fingerprint ? `fingerprint:${input.fingerprint}` : detectionKey(input.service, input.operation, input.signal);
    for (let attempt = 0; attempt < 3; attempt++) {
      const candidate = randomUUID();
      const { rows } = await this.pool.query<{ anomaly_id: string }>(
        `INSERT INTO anomaly_keys (dedup_key, anomaly_id, opened_at) VALUES ($1, $2, $3)
         ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = excluded.dedup_key RETURNING anomaly_id`,
        [key, candidate, input.now],
      );
      const anomalyId = rows[0].anomaly_id;
      const { state } = await this.bus.load('anomaly', anomalyId);
      const closed = state.status === 'Resolved';
      if (closed) {
        // The key's last anomaly is over: a new episode gets a new anomaly (only one racer wins the swap).
        await this.pool.query(`UPDATE anomaly_keys SET anomaly_id = $3, opened_at = $4 WHERE dedup_key = $1 AND anomaly_id = $2`, [key, anomalyId, randomUUID(), input.now]);
        continue;
      }
      const result = await this.bus.send('anomaly', anomalyId, {
        type: 'DetectAnomaly',
        data: {
          anomalyId,
          service: input.service,
          operation: input.operation,
          signal: input.signal,
          expected: input.expected,
          actual: input.actual,
          score: input.score,
          severity: input.severity,
          window: input.window,
          ...(input.source ? { source: input.source } : {}),
          ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
        },
        metadata: { now: input.now, actor: input.actor, correlationId: input.correlationId },
      });
      return { id: anomalyId, created: result.events.some((e) => e.type === 'AnomalyDetected') };
    }
    throw new Error('Could not settle the anomaly for this key after 3 attempts');
  }
}
