/** Messages between the ingest bench and its load generator process (over the fork IPC channel). */
export type ToLoadGenerator =
  | { readonly type: 'load'; readonly poolFile: string }
  | { readonly type: 'run'; readonly url: string; readonly connections: number; readonly durationMs: number; /** 0 = as fast as acknowledged */ readonly spansPerSecond: number };

export interface LoadCounters {
  /** Spans in bodies the receiver answered 200 to. */
  readonly ackedSpans: number;
  readonly requests: number;
  /** 429/503 (backpressure) and connection retries. */
  readonly retries: number;
  /** Bodies still refused when the grace period after the run ended (never acknowledged, not counted). */
  readonly abandoned: number;
  readonly elapsedMs: number;
  /** The load generator's own CPU time (user + system), ms. */
  readonly cpuMs: number;
}

export type FromLoadGenerator =
  | { readonly type: 'ready'; readonly bodies: number; readonly spansPerBody: number }
  | ({ readonly type: 'progress' } & LoadCounters)
  | ({ readonly type: 'done' } & LoadCounters)
  | { readonly type: 'failed'; readonly error: string };
