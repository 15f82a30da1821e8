import { OtlpHttpSender, postChangeEvent, replayScenario, Scenario, type FaultKind } from '@vigil/scenarios';
import { TestVigil } from './start-test-vigil';

const MINUTE = 60_000;
/** Clean minutes the detector learns from (it needs 30), then minutes with the fault. */
export const BASELINE_MINUTES = 36;
export const FAULT_MINUTES = 5;
/** ~2 × 60 × 0.3 ≈ 36 requests a minute per entry operation: the detector e2e learns from 30. */
const TRACES_PER_SECOND = 2;
/** The token `startTestVigil` must be given as CHANGES_WEBHOOK_TOKEN for the bad deploy's change event. */
export const SCENARIO_CHANGES_TOKEN = 'scenario-e2e-changes-token';

/**
 * Replays a fault scenario into a Vigil started with `{ clickhouse: true }`: its history sent time-compressed up to
 * the last whole minute — 36 clean minutes, then 5 with the fault — so every minute is closed when it lands and the
 * detector acts on the recent ones. The change event (bad deploy) goes to /webhooks/changes before the telemetry.
 */
export async function replayFault(kind: FaultKind, vigil: TestVigil): Promise<{ scenario: Scenario; sent: { spans: number; changes: number } }> {
  const scenarioEnd = Math.floor(Date.now() / MINUTE) * MINUTE;
  const onset = scenarioEnd - FAULT_MINUTES * MINUTE;
  const scenario = new Scenario({ seed: 11, tracesPerSecond: TRACES_PER_SECOND, fault: { kind, at: onset } });
  const sender = new OtlpHttpSender({ baseUrl: vigil.otlpHttpUrl!, connections: 4 });
  try {
    const sent = await replayScenario({
      scenario, sender, historyMs: (BASELINE_MINUTES + FAULT_MINUTES) * MINUTE, liveMs: 0, now: () => scenarioEnd,
      postChange: async (event) => {
        const response = await postChangeEvent(event, { url: `${vigil.base}/webhooks/changes`, token: SCENARIO_CHANGES_TOKEN });
        if (response.status >= 300) throw new Error(`POST /webhooks/changes answered ${response.status}: ${response.body}`);
      },
    });
    return { scenario, sent };
  } finally {
    sender.close();
  }
}

/** Until the RED rollup counts every acknowledged span (it counts before tail sampling; otel_traces keeps a sample). */
export async function committed(vigil: TestVigil, spans: number, deadline: number): Promise<void> {
  const table = `\`${vigil.runtime.config.CLICKHOUSE_DATABASE}\`.otel_red_1m`;
  while (Date.now() < deadline) {
    const result = await vigil.runtime.clickhouse!.query({ query: `SELECT toString(countMerge(Requests)) AS n FROM ${table}`, format: 'JSONEachRow' });
    if (Number((await result.json<{ n: string }>())[0]?.n ?? 0) >= spans) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
