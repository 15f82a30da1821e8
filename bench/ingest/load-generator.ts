import { OtlpHttpSender, OtlpSendError } from '@vigil/scenarios';
import type { FromLoadGenerator, LoadCounters, ToLoadGenerator } from './load-protocol';
import { readSpanPool, renewTraceIds, type SpanPool } from './span-pool';

/**
 * The ingest bench's client, in its own process so its CPU is not counted as the pipeline's: cycles the pre-encoded
 * pool over `connections` keep-alive connections, each lane sending its next body as soon as the last one was
 * acknowledged (or on a fixed schedule when a rate is given).
 */
const GRACE_MS = 60_000;
let pool: SpanPool | null = null;
const send = (message: FromLoadGenerator) => process.send?.(message);

process.on('message', (message: ToLoadGenerator) => {
  if (message.type === 'load') {
    pool = readSpanPool(message.poolFile);
    send({ type: 'ready', bodies: pool.bodies.length, spansPerBody: pool.spansPerBody });
  } else if (message.type === 'run') {
    run(message).then(
      (counters) => send({ type: 'done', ...counters }),
      (error: unknown) => send({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  }
});
process.on('disconnect', () => process.exit(0));

async function run(options: Extract<ToLoadGenerator, { type: 'run' }>): Promise<LoadCounters> {
  if (!pool) throw new Error('no pool loaded');
  const { bodies, spansPerBody, traceIdOffsets } = pool;
  const sender = new OtlpHttpSender({ baseUrl: options.url, connections: options.connections, maxAttempts: 1_000 });
  const cpuAtStart = process.cpuUsage();
  const started = Date.now();
  const deadline = started + options.durationMs;
  const intervalMs = options.spansPerSecond > 0 ? (spansPerBody / options.spansPerSecond) * 1000 : 0;
  let next = 0;
  let abandoned = 0;
  // A body refused past this is given up, so a bus that stays full cannot hang the bench.
  const giveUpAt = deadline + GRACE_MS;
  const counters = (): LoadCounters => {
    const cpu = process.cpuUsage(cpuAtStart);
    return { ackedSpans: sender.stats.requests * spansPerBody, requests: sender.stats.requests, retries: sender.stats.retries, abandoned, elapsedMs: Date.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const ticker = setInterval(() => send({ type: 'progress', ...counters() }), 500);
  const lane = async () => {
    for (;;) {
      const index = next++;
      if (intervalMs > 0) {
        const due = started + index * intervalMs;
        if (due >= deadline) return;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      } else if (Date.now() >= deadline) {
        return;
      }
      try {
        // Every pass over the pool sends new trace ids: live traffic has no trace twice.
        const body = index % bodies.length;
        await sender.send('traces', renewTraceIds(bodies[body], traceIdOffsets[body], Math.floor(index / bodies.length)), giveUpAt);
      } catch (error) {
        if (!(error instanceof OtlpSendError)) throw error;
        abandoned++;
        return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, lane));
  } finally {
    clearInterval(ticker);
    sender.close();
  }
  return counters();
}
