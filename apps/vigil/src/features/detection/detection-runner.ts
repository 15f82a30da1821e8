import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { Logger } from 'pino';
import { CommandBus } from '@vigil/application';
import { AnomalySeverity } from '@vigil/domain/anomaly';
import { minuteOf, RedDecision, RedMinute, RedMonitor, Slo, SloDecision, SloMonitor } from '@vigil/detection';
import { ReportAnomalyUseCase } from '../anomalies/usecases/report-anomaly/report-anomaly.usecase';
import { detectionKey, ResolveAnomalyByKeyUseCase } from '../anomalies/usecases/resolve-anomaly-by-key/resolve-anomaly-by-key.usecase';

/** Where RED minutes come from (the ClickHouse RED rollup). */
export interface RedMinuteSource {
  /** (service, operation) pairs with data at or after `since`, each with the start of its newest minute. */
  keys(since: number): Promise<ReadonlyArray<{ service: string; operation: string; newest: number }>>;
  /** Minutes in [from, to), ascending by minute (the newest may still be filling); only `keys` when given. */
  minutes(from: number, to: number, keys?: ReadonlyArray<{ service: string; operation: string }>): Promise<RedMinute[]>;
}

export interface DetectionRunnerOptions {
  readonly source: RedMinuteSource;
  readonly bus: CommandBus;
  readonly pool: Pool;
  readonly slos: readonly Slo[];
  readonly logger: Logger;
  readonly intervalMs: number;
  /** History a series first seen is learned from. Default 6 h. */
  readonly warmupMs?: number;
  /** Decisions about minutes older than this are history being learned, not news. Default 15 min. */
  readonly actWindowMs?: number;
  /** A minute is closed this long after it ends (late spans). Default 10 s. */
  readonly latenessMs?: number;
  readonly clock?: () => number;
}

/** A minute is closed this long after it ends (late spans). */
export const DEFAULT_LATENESS_MS = 10_000;

const DETECTOR_LOCK = 0x76_69_67_01; // 'vig' 1: one active detector per database

/**
 * Streams the RED rollup through the RED and SLO monitors and turns their decisions into anomalies: raise (one open
 * anomaly per service, operation and signal; repeats update it), resolve when the signal is back. Series seen for
 * the first time are learned from `warmupMs` of history, so a restart re-learns from ClickHouse instead of keeping
 * detector state elsewhere; only decisions about recent minutes act. One instance per database is active (a
 * PostgreSQL advisory lock); the others wait to take over.
 */
export class DetectionRunner {
  private readonly red = new RedMonitor();
  private readonly slo: SloMonitor;
  private readonly report: ReportAnomalyUseCase;
  private readonly resolveByKey: ResolveAnomalyByKeyUseCase;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lockClient: PoolClient | null = null;
  private stopped = false;
  readonly stats = { ticks: 0, minutes: 0, raised: 0, resolved: 0, failures: 0 };

  constructor(private readonly options: DetectionRunnerOptions) {
    this.slo = new SloMonitor(options.slos);
    this.report = new ReportAnomalyUseCase(options.bus, options.pool);
    this.resolveByKey = new ResolveAnomalyByKeyUseCase(options.bus, options.pool);
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tickSafely().finally(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.lockClient) {
      await this.lockClient.query('SELECT pg_advisory_unlock($1)', [DETECTOR_LOCK]).catch(() => undefined);
      this.lockClient.release();
      this.lockClient = null;
    }
  }

  private async tickSafely(): Promise<void> {
    try {
      if (!(await this.holdLock())) return;
      await this.tick();
    } catch (error) {
      this.stats.failures++;
      this.options.logger.warn({ err: error }, 'detection tick failed; retrying at the next interval');
    }
  }

  private async holdLock(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = await this.options.pool.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [DETECTOR_LOCK]);
    if (rows[0]?.locked) {
      this.lockClient = client;
      client.on('error', () => {
        // The session (and so the lock) is gone: re-acquire before the next tick.
        this.lockClient = null;
      });
      return true;
    }
    client.release();
    return false;
  }

  /**
   * One pass: read each series' closed minutes after the last one fed (from `warmupFrom` for a series not seen
   * yet), feed the monitors, act on recent decisions. Series without newer data are not read; history that arrives
   * late (time-compressed backfill, a slow processor) is read when it lands because the key's newest minute moved.
   */
  async tick(): Promise<void> {
    const now = this.now();
    const closedUntil = minuteOf(now - (this.options.latenessMs ?? DEFAULT_LATENESS_MS));
    const warmupFrom = closedUntil - (this.options.warmupMs ?? 6 * 3_600_000);
    const keys = await this.options.source.keys(warmupFrom);
    // A series' newest minute may still be filling (live: the open minute; a backfill: the minute being sent), so a
    // minute is read once the series has data after it, and once the clock has closed it.
    const newestClosed = closedUntil - 60_000;
    const readableUntil = (key: { newest: number }) => Math.min(key.newest, closedUntil);
    const stale = keys.filter((key) => Math.min(key.newest - 60_000, newestClosed) > (this.red.lastMinute(key.service, key.operation) ?? -Infinity));
    // A series still learning is re-read whole: its older history may have landed after newer minutes.
    const from = Math.min(...stale.map((key) => (this.red.isLearning(key.service, key.operation) ? warmupFrom : (this.red.lastMinute(key.service, key.operation) as number) + 60_000)));
    const until = new Map(stale.map((key) => [`${key.service}\u0000${key.operation}`, readableUntil(key)]));
    const points = (stale.length ? await this.options.source.minutes(Math.max(from, warmupFrom), closedUntil, stale) : [])
      .filter((point) => point.minute < (until.get(`${point.service}\u0000${point.operation}`) ?? closedUntil));
    points.sort((a, b) => a.minute - b.minute);
    const sloDecisions = this.slo.observe(points);
    const redDecisions = [...this.red.observe(points), ...(await this.previewOpenMinutes(keys, now))];
    this.stats.ticks++;
    this.stats.minutes += points.length;
    const actFrom = now - (this.options.actWindowMs ?? 15 * 60_000);
    const correlationId = `detection-${randomUUID()}`;
    for (const decision of latestPer(redDecisions, actFrom, (d) => detectionKey(d.service, d.operation, d.signal))) await this.actOnRed(decision, correlationId);
    for (const decision of latestPer(sloDecisions, actFrom, (d) => `${d.slo.name}\u0000${d.slo.service}`)) await this.actOnSlo(decision, correlationId);
  }

  /**
   * The minutes not fed yet (the one being filled, and the last one until the clock closes it), judged on their error
   * rate without learning from them (RedMonitor.preview): a fault that makes requests fail is raised within seconds
   * of its onset instead of after its minute closes. Throughput and latency wait for the closed minute.
   */
  private async previewOpenMinutes(keys: ReadonlyArray<{ service: string; operation: string; newest: number }>, now: number): Promise<RedDecision[]> {
    const open = keys.filter((key) => !this.red.isLearning(key.service, key.operation) && key.newest > (this.red.lastMinute(key.service, key.operation) as number));
    if (open.length === 0) return [];
    const from = Math.min(...open.map((key) => (this.red.lastMinute(key.service, key.operation) as number) + 60_000));
    return this.red.preview(await this.options.source.minutes(from, minuteOf(now) + 60_000, open));
  }

  private async actOnRed(decision: RedDecision, correlationId: string): Promise<void> {
    const now = new Date(this.now()).toISOString();
    const window = { start: new Date(decision.minute).toISOString(), end: new Date(decision.minute + 60_000).toISOString() };
    if (decision.type === 'resolve') {
      const { resolved } = await this.resolveByKey.execute({
        key: detectionKey(decision.service, decision.operation, decision.signal),
        how: 'recovered',
        note: `${decision.signal} back inside its baseline band for ${decision.inBandMinutes} minutes`,
        actor: 'system:detector',
        correlationId,
        now,
        idempotencyKey: `detector:resolve:${decision.service}:${decision.operation}:${decision.signal}:${decision.minute}`,
      });
      if (resolved) this.stats.resolved++;
      return;
    }
    await this.raise({ ...decision, expected: round(decision.expected), actual: round(decision.actual), score: round(decision.score), window }, correlationId, now);
  }

  private async actOnSlo(decision: SloDecision, correlationId: string): Promise<void> {
    const now = new Date(this.now()).toISOString();
    const { slo } = decision;
    const operation = slo.operation ?? '*';
    const signal = `slo:${slo.name}`;
    if (decision.type === 'resolve') {
      await this.resolveByKey.execute({ key: detectionKey(slo.service, operation, signal), how: 'recovered', note: 'no burn-rate window pair fires any more', actor: 'system:detector', correlationId, now, idempotencyKey: `detector:resolve:${slo.service}:${signal}:${decision.minute}` });
      return;
    }
    const { alert } = decision;
    const ratio = alert.longBurnRate / alert.threshold;
    await this.raise(
      {
        service: slo.service,
        operation,
        signal,
        expected: alert.threshold,
        actual: round(alert.longBurnRate),
        score: round(1 - 1 / (1 + ratio * ratio)),
        severity: decision.severity,
        window: { start: new Date(decision.minute - alert.longWindowMs).toISOString(), end: new Date(decision.minute + 60_000).toISOString() },
      },
      correlationId,
      now,
    );
  }

  private async raise(
    anomaly: { service: string; operation: string; signal: string; expected: number; actual: number; score: number; severity: AnomalySeverity; window: { start: string; end: string } },
    correlationId: string,
    now: string,
  ): Promise<void> {
    const result = await this.report.execute({ ...anomaly, source: 'vigil-detector', actor: 'system:detector', correlationId, now });
    if (result.created) this.stats.raised++;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}

/** Within one pass only the newest decision per series matters (several minutes may arrive at once). */
function latestPer<D extends { minute: number }>(decisions: readonly D[], actFrom: number, keyOf: (decision: D) => string): D[] {
  const latest = new Map<string, D>();
  for (const decision of decisions) if (decision.minute >= actFrom) latest.set(keyOf(decision), decision);
  return [...latest.values()];
}

const round = (value: number): number => (Number.isFinite(value) ? Number(value.toPrecision(4)) : 0);
