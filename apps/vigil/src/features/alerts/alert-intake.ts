import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CommandBus } from '@vigil/application';
import { AnomalySeverity } from '@vigil/domain/anomaly';
import { ReportAnomalyUseCase } from '../anomalies/usecases/report-anomaly/report-anomaly.usecase';
import { ResolveAnomalyByKeyUseCase } from '../anomalies/usecases/resolve-anomaly-by-key/resolve-anomaly-by-key.usecase';
import { SilenceRegistry, suppressIfSilenced } from '../silences/silences';

export type AlertSource = 'alertmanager' | 'grafana';

const alert = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: z.string().optional(),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().min(1).optional(),
    values: z.record(z.string(), z.number()).nullish(),
  })
  .passthrough();

/** Alertmanager's webhook (version 4) and Grafana alerting's webhook share this shape. */
export const alertWebhookSchema = z
  .object({
    version: z.string().optional(),
    groupKey: z.string().optional(),
    status: z.string().optional(),
    receiver: z.string().optional(),
    alerts: z.array(alert).max(1000),
  })
  .passthrough();
export type AlertWebhook = z.infer<typeof alertWebhookSchema>;

/** Compares a bearer token in constant time. */
export function tokenMatches(expected: string, authorization: string | undefined): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const SEVERITIES: Record<string, AnomalySeverity> = { critical: 'critical', page: 'critical', high: 'critical', error: 'error', major: 'error', warning: 'warning', warn: 'warning', minor: 'warning', info: 'info', low: 'info', none: 'info' };

const number = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

export interface AlertOutcome {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly anomalyId?: string;
  readonly created?: boolean;
  readonly silencedBy?: string;
  readonly resolved?: boolean;
}

/**
 * External alerts become anomalies: a firing alert reports (or updates) the anomaly of its fingerprint — one open
 * anomaly per fingerprint, however often Alertmanager repeats it — and a resolved alert resolves it (`recovered`).
 * Labels map to the anomaly: service ← service|job|app|namespace, operation ← operation|route|handler|instance,
 * signal ← `alert:<alertname>`, severity ← severity; expected/actual from the `expected`/`value` annotations (or
 * Grafana's `values`). A firing alert under an active silence is marked AnomalySuppressed{silenceId}.
 */
export class AlertIntake {
  constructor(
    private readonly report: ReportAnomalyUseCase,
    private readonly resolveByKey: ResolveAnomalyByKeyUseCase,
    private readonly bus: CommandBus,
    private readonly silences: SilenceRegistry,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  async receive(source: AlertSource, webhook: AlertWebhook, correlationId: string): Promise<AlertOutcome[]> {
    const outcomes: AlertOutcome[] = [];
    for (const a of webhook.alerts) {
      const now = this.clock();
      const fingerprint = `${source}:${a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort())}`;
      const actor = `system:${source}`;
      if (a.status === 'resolved') {
        const { anomalyId, resolved } = await this.resolveByKey.execute({
          key: `fingerprint:${fingerprint}`,
          how: 'recovered',
          note: `${source} reports the alert resolved`,
          actor,
          correlationId,
          now,
          idempotencyKey: `${fingerprint}:resolved:${a.endsAt ?? now}`,
        });
        outcomes.push({ fingerprint, status: 'resolved', ...(anomalyId ? { anomalyId } : {}), resolved });
        continue;
      }
      const labels = a.labels;
      const service = labels.service ?? labels.job ?? labels.app ?? labels.namespace ?? 'unknown';
      const operation = labels.operation ?? labels.route ?? labels.handler ?? labels.instance ?? '*';
      const signal = `alert:${labels.alertname ?? 'unnamed'}`;
      const severity = SEVERITIES[(labels.severity ?? '').toLowerCase()] ?? 'warning';
      const firstValue = a.values ? Object.values(a.values)[0] : undefined;
      const actual = number(a.annotations.value) ?? firstValue ?? 1;
      const expected = number(a.annotations.expected) ?? number(a.annotations.threshold) ?? 0;
      const start = a.startsAt && !Number.isNaN(Date.parse(a.startsAt)) ? new Date(a.startsAt).toISOString() : now;
      const result = await this.report.execute({
        service,
        operation,
        signal,
        expected,
        actual,
        score: number(a.annotations.score) ?? 0,
        severity,
        window: { start, end: now },
        source,
        fingerprint,
        actor,
        correlationId,
        now,
      });
      const silence = await suppressIfSilenced(this.bus, this.silences, result.id, { ...labels, service, operation, signal, severity, source, alertname: labels.alertname }, { now, correlationId });
      outcomes.push({ fingerprint, status: 'firing', anomalyId: result.id, created: result.created, ...(silence ? { silencedBy: silence.id } : {}) });
    }
    return outcomes;
  }
}
