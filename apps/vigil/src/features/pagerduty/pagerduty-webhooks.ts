import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { anomalyIdOfDedupKey, parsePagerDutyWebhook, PAGERDUTY_SIGNATURE_HEADER, verifyPagerDutySignature } from '@vigil/integrations/pagerduty';
import { refusalOf, SagaLogger, silentLogger, uuidFromSeed } from '@vigil/saga-host';
import { SecurityAudit } from '../../auth/security-audit';

export const PAGERDUTY_WEBHOOK_PATH = '/webhooks/pagerduty';

export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * PagerDuty v3 webhooks back into Vigil: a person acknowledging or resolving a Vigil incident in PagerDuty stops
 * the escalations of its pending approvals (StopEscalation{acknowledged}) and acknowledges, or resolves (`manual`),
 * the anomaly. Signed (`X-PagerDuty-Signature: v1=<HMAC-SHA256 of the body>`), applied once per event id, and
 * events PagerDuty or an integration caused (Vigil's own acknowledge) are ignored.
 */
export class PagerDutyWebhooks {
  constructor(
    private readonly secret: string,
    private readonly bus: CommandBus,
    private readonly pool: Pool,
    private readonly audit: SecurityAudit,
    private readonly logger: SagaLogger = silentLogger,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  async receive(rawBody: Buffer | undefined, headers: Record<string, string | string[] | undefined>, body: unknown, correlationId: string): Promise<WebhookAnswer> {
    const signature = headers[PAGERDUTY_SIGNATURE_HEADER];
    if (!verifyPagerDutySignature(this.secret, Array.isArray(signature) ? signature.join(',') : signature, rawBody ?? Buffer.alloc(0))) {
      await this.audit.recordRefusal({ actor: 'pagerduty:unverified', code: 'PAGERDUTY.SIGNATURE_MISMATCH', method: 'POST', path: PAGERDUTY_WEBHOOK_PATH, correlationId }).catch(() => undefined);
      return { status: 401, body: { code: 'PAGERDUTY.SIGNATURE_MISMATCH', message: 'the X-PagerDuty-Signature does not match the body' } };
    }
    const event = parsePagerDutyWebhook(body);
    if (!event) return { status: 400, body: { code: 'PAGERDUTY.INVALID_PAYLOAD', message: 'not a v3 webhook event' } };
    if (event.eventType !== 'incident.acknowledged' && event.eventType !== 'incident.resolved') return { status: 200, body: { status: 'ignored', why: event.eventType } };
    const anomalyId = anomalyIdOfDedupKey(event.incidentKey);
    if (!anomalyId) return { status: 200, body: { status: 'ignored', why: 'not a Vigil incident' } };
    if (event.agent?.type !== 'user_reference') return { status: 200, body: { status: 'ignored', why: `caused by ${event.agent?.type ?? 'PagerDuty'}` } };
    const fresh = await this.pool.query(`INSERT INTO webhook_receipts (source, id, received_at) VALUES ('pagerduty', $1, $2) ON CONFLICT DO NOTHING`, [event.id, this.clock()]);
    if ((fresh.rowCount ?? 0) === 0) return { status: 200, body: { status: 'duplicate' } };

    const actor = `pagerduty:${event.agent.id ?? 'unknown'}`;
    const now = this.clock();
    const metadata = (purpose: string) => ({ now, actor, correlationId, idempotencyKey: `pagerduty:${event.id}:${purpose}` });
    const run = async (what: string, send: () => Promise<unknown>) => {
      try {
        await send();
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        this.logger.info({ anomalyId, what, code: refusal.code }, 'PagerDuty webhook: nothing to change');
      }
    };
    const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM approval_queue WHERE anomaly_id = $1 AND status = 'pending'`, [anomalyId]);
    for (const { id: approvalId } of rows) {
      const escalationId = uuidFromSeed(`escalation:${approvalId}`);
      await run('StopEscalation', () => this.bus.send('escalation', escalationId, { type: 'StopEscalation', data: { escalationId, why: 'acknowledged' }, metadata: metadata(`stop:${escalationId}`) }));
    }
    if (event.eventType === 'incident.acknowledged') {
      await run('AcknowledgeAnomaly', () => this.bus.send('anomaly', anomalyId, { type: 'AcknowledgeAnomaly', data: { anomalyId }, metadata: metadata('ack') }));
    } else {
      await run('ResolveAnomaly', () =>
        this.bus.send('anomaly', anomalyId, {
          type: 'ResolveAnomaly',
          data: { anomalyId, how: 'manual', note: `resolved in PagerDuty by ${event.agent?.summary ?? actor}${event.incidentUrl ? ` (${event.incidentUrl})` : ''}` },
          metadata: metadata('resolve'),
        }),
      );
    }
    return { status: 200, body: { status: 'applied', anomalyId, escalationsStopped: rows.length } };
  }
}
