import type { ChangeEventBody } from './faults';
import { encodeSlice } from './otlp';
import type { Scenario } from './scenario';
import { sleep, type OtlpHttpSender } from './send';

export interface ReplayProgress {
  readonly phase: 'history' | 'live';
  /** Scenario time sent up to (epoch ms). */
  readonly untilMs: number;
  readonly spans: number;
  readonly logs: number;
  readonly points: number;
  readonly changes: number;
}

export interface ReplayOptions {
  readonly scenario: Scenario;
  readonly sender: OtlpHttpSender;
  /** Baseline before the start, sent first as fast as the receiver takes it (past timestamps). Default 0. */
  readonly historyMs?: number;
  /** Live traffic after the history, second by second in real time. Default: until `signal` aborts. */
  readonly liveMs?: number;
  /** History is generated and sent this much at a time. Default 60 s. */
  readonly historyChunkMs?: number;
  /** Delivers a change event once its time has come: before the telemetry of the range it falls in. */
  readonly postChange?: (event: ChangeEventBody) => Promise<void>;
  readonly onProgress?: (progress: ReplayProgress) => void;
  readonly signal?: AbortSignal;
  /** Default Date.now. A fixed value sends history up to that instant (e.g. the last closed minute) and stops. */
  readonly now?: () => number;
}

/**
 * Sends a scenario to an OTLP/HTTP receiver: time-compressed history ending now (so detectors have a baseline),
 * then live traffic each second, with the change events at their time. Stops after `liveMs` or on abort.
 */
export async function replayScenario(options: ReplayOptions): Promise<ReplayProgress> {
  const now = options.now ?? Date.now;
  const start = now();
  const chunk = options.historyChunkMs ?? 60_000;
  const pending = [...options.scenario.changeEvents()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let progress: ReplayProgress = { phase: 'history', untilMs: start - (options.historyMs ?? 0), spans: 0, logs: 0, points: 0, changes: 0 };

  const sendRange = async (phase: ReplayProgress['phase'], fromMs: number, toMs: number) => {
    // A deploy precedes its effects: its change event goes out before the telemetry of the range it falls in.
    while (pending.length > 0 && Date.parse(pending[0].at) < toMs) {
      const event = pending.shift()!;
      await options.postChange?.(event);
      progress = { ...progress, changes: progress.changes + 1 };
    }
    const bodies = encodeSlice(options.scenario.generate(fromMs, toMs));
    await options.sender.sendAll(bodies);
    progress = { ...progress, phase, untilMs: toMs, spans: progress.spans + bodies.spanCount, logs: progress.logs + bodies.logCount, points: progress.points + bodies.pointCount };
    options.onProgress?.(progress);
  };

  for (let from = progress.untilMs; from < start && !options.signal?.aborted; from += chunk) await sendRange('history', from, Math.min(start, from + chunk));
  const end = options.liveMs === undefined ? Infinity : start + options.liveMs;
  let cursor = start;
  while (!options.signal?.aborted && cursor < end) {
    await sleep(Math.max(0, cursor + 1_000 - now()));
    const until = Math.min(end, Math.floor(now() / 1_000) * 1_000);
    if (until > cursor) {
      await sendRange('live', cursor, until);
      cursor = until;
    }
  }
  return progress;
}
