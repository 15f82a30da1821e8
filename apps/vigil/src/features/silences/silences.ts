import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CommandBus } from '@vigil/application';
import { EventStore } from '@vigil/event-store';
import { refusalOf } from '@vigil/saga-host';
import { IncidentLinks } from '../deliveries/incident-links';
import { Suppressions } from '../deliveries/suppression';

/** Alertmanager-style matcher over an anomaly's labels: `service`, `operation`, `signal`, `severity`, `source`, `alertname`. */
export const matcherSchema = z.object({
  name: z.string().min(1).max(100),
  value: z.string().max(500),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});
export type Matcher = z.infer<typeof matcherSchema>;

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time');
export const silenceInputSchema = z
  .object({
    matchers: z.array(matcherSchema).min(1).max(20),
    startsAt: isoTime.optional(),
    endsAt: isoTime,
    comment: z.string().trim().min(1).max(1000),
  })
  .strict();
export type SilenceInput = z.infer<typeof silenceInputSchema>;

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly comment: string;
  readonly createdBy: string;
  readonly source: 'api' | 'config';
  readonly createdAt: string;
  readonly expiredAt: string | null;
  readonly expiredBy: string | null;
}

const SILENCE_NAMESPACE = '5c1a3a8e-2f44-4f0d-8a52-3b7c9e6d1f20';

export function matches(matchers: readonly Matcher[], labels: Readonly<Record<string, string | undefined>>): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? '';
    let hit: boolean;
    try {
      hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(value) : value === m.value;
    } catch {
      hit = false;
    }
    return m.isEqual ? hit : !hit;
  });
}

interface Row {
  id: string;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: string;
  source: 'api' | 'config';
  created_at: Date;
  expired_at: Date | null;
  expired_by: string | null;
}
const toSilence = (r: Row): Silence => ({
  id: r.id,
  matchers: r.matchers,
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at.toISOString(),
  comment: r.comment,
  createdBy: r.created_by,
  source: r.source,
  createdAt: r.created_at.toISOString(),
  expiredAt: r.expired_at?.toISOString() ?? null,
  expiredBy: r.expired_by?.toString() ?? null,
});

/**
 * Silences and maintenance windows: matchers and a time range. Creating and expiring one are events
 * (`silence-<id>`: SilenceCreated, SilenceExpired) so they are audited like everything else; the `silences` table
 * is what matching reads. While a silence matches an anomaly, its pages and escalation notices are not sent (the
 * delivery is recorded as skipped, naming the silence) and the anomaly is marked AnomalySuppressed{silenceId}.
 */
export class SilenceRegistry implements Suppressions {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly links: IncidentLinks,
  ) {}

  async create(input: SilenceInput, actor: string, now: string, options: { id?: string; source?: 'api' | 'config'; correlationId?: string } = {}): Promise<Silence> {
    const startsAt = input.startsAt ?? now;
    if (Date.parse(input.endsAt) <= Date.parse(startsAt)) throw Object.assign(new Error('endsAt must be after startsAt'), { code: 'SILENCE.INVALID_RANGE' });
    const id = options.id ?? uuidv5(`${actor}:${now}:${JSON.stringify(input)}`, SILENCE_NAMESPACE);
    const source = options.source ?? 'api';
    const data = { silenceId: id, matchers: input.matchers, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(input.endsAt).toISOString(), comment: input.comment, source, createdBy: actor, at: now };
    await this.store.append(`silence-${id}`, [{ eventId: uuidv5(`created:${id}`, SILENCE_NAMESPACE), type: 'SilenceCreated', data, metadata: { actor, correlationId: options.correlationId ?? `silence:${id}`, recordedAt: now, schemaVersion: 1 } }], 'any').catch((error: { type?: string }) => {
      if (error?.type !== 'duplicate-event') throw error;
    });
    await this.pool.query(
      `INSERT INTO silences (id, matchers, starts_at, ends_at, comment, created_by, source, created_at) VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [id, JSON.stringify(input.matchers), data.startsAt, data.endsAt, input.comment, actor, source, now],
    );
    return (await this.get(id))!;
  }

  async expire(id: string, actor: string, now: string, correlationId?: string): Promise<Silence | undefined> {
    const silence = await this.get(id);
    if (!silence) return undefined;
    if (silence.expiredAt) return silence;
    await this.store.append(`silence-${id}`, [{ eventId: uuidv5(`expired:${id}`, SILENCE_NAMESPACE), type: 'SilenceExpired', data: { silenceId: id, by: actor, at: now }, metadata: { actor, correlationId: correlationId ?? `silence:${id}`, recordedAt: now, schemaVersion: 1 } }], 'any').catch((error: { type?: string }) => {
      if (error?.type !== 'duplicate-event') throw error;
    });
    await this.pool.query(`UPDATE silences SET expired_at = $2, expired_by = $3 WHERE id = $1 AND expired_at IS NULL`, [id, now, actor]);
    return this.get(id);
  }

  async get(id: string): Promise<Silence | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM silences WHERE id = $1`, [id]);
    return rows[0] ? toSilence(rows[0]) : undefined;
  }

  async list(activeAt?: string): Promise<Silence[]> {
    const { rows } = activeAt
      ? await this.pool.query<Row>(`SELECT * FROM silences WHERE expired_at IS NULL AND starts_at <= $1 AND ends_at > $1 ORDER BY ends_at`, [activeAt])
      : await this.pool.query<Row>(`SELECT * FROM silences ORDER BY created_at DESC LIMIT 500`);
    return rows.map(toSilence);
  }

  /** The first active silence matching these labels. */
  async matching(labels: Readonly<Record<string, string | undefined>>, now: string): Promise<Silence | undefined> {
    return (await this.list(now)).find((silence) => matches(silence.matchers, labels));
  }

  async silenceFor(anomalyId: string, now: string): Promise<{ silenceId: string; comment: string } | undefined> {
    const anomaly = await this.links.anomaly(anomalyId);
    if (!anomaly) return undefined;
    const silence = await this.matching(anomalyLabels(anomaly), now);
    return silence ? { silenceId: silence.id, comment: silence.comment } : undefined;
  }

  /** Maintenance windows from VIGIL_SILENCES_FILE (YAML or JSON list of {name, matchers, startsAt, endsAt, comment}); idempotent by name. */
  async loadFile(file: string, now: string): Promise<number> {
    const parsed = z.array(silenceInputSchema.extend({ name: z.string().min(1) }).strict()).safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`VIGIL_SILENCES_FILE ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const { name, ...input } of parsed.data) await this.create(input, 'system:config', now, { id: uuidv5(`config:${name}`, SILENCE_NAMESPACE), source: 'config' });
    return parsed.data.length;
  }
}

export function anomalyLabels(anomaly: { service: string; operation: string; signal: string; source?: string; state: { anomaly: { severity: string } } }): Record<string, string> {
  return {
    service: anomaly.service,
    operation: anomaly.operation,
    signal: anomaly.signal,
    severity: anomaly.state.anomaly.severity,
    source: anomaly.source ?? 'detector',
    ...(anomaly.signal.startsWith('alert:') ? { alertname: anomaly.signal.slice('alert:'.length) } : {}),
  };
}

/**
 * Marks an anomaly suppressed when an active silence matches its labels (whoever raised it: alert intake or the
 * detector), and returns that silence. Idempotent per (silence, anomaly).
 */
export async function suppressIfSilenced(
  bus: CommandBus,
  silences: Pick<SilenceRegistry, 'matching'>,
  anomalyId: string,
  labels: Readonly<Record<string, string | undefined>>,
  meta: { now: string; correlationId: string },
): Promise<Silence | undefined> {
  const silence = await silences.matching(labels, meta.now);
  if (!silence) return undefined;
  await bus
    .send('anomaly', anomalyId, {
      type: 'SuppressAnomaly',
      data: { anomalyId, silenceId: silence.id },
      metadata: { now: meta.now, actor: 'system:silences', correlationId: meta.correlationId, idempotencyKey: `silence:${silence.id}:${anomalyId}` },
    })
    .catch((error: unknown) => {
      if (!refusalOf(error)) throw error;
    });
  return silence;
}
