import { investigate } from '@vigil/investigation';
import { EVIDENCE_TRACE_OPTIONS } from './run-investigation.usecase';

describe('the investigator\'s dependency tracing over per-minute onsets', () => {
  it('given a callee whose errors show in the minute after its caller\'s, when investigated with EVIDENCE_TRACE_OPTIONS, then the callee is the root and the caller a symptom', () => {
    const input = {
      anomaly: { service: 'checkout', signal: 'error_rate', onset: '2025-03-01T10:00:00Z' },
      edges: [{ caller: 'checkout', callee: 'inventory', calls: 600 }, { caller: 'inventory', callee: 'postgres', calls: 900 }],
      serviceAnomalies: [
        { service: 'checkout', score: 90, onset: '2025-03-01T10:00:00Z', signal: 'error_rate' },
        { service: 'inventory', score: 50, onset: '2025-03-01T10:01:00Z', signal: 'error_rate' },
      ],
    };
    const outcome = investigate(input, { trace: EVIDENCE_TRACE_OPTIONS });
    expect(outcome.hypotheses[0]).toMatchObject({ cause: 'failing-service', service: 'inventory' });
    // With the library's default half-minute tolerance the minute apart would make checkout its own root.
    expect(investigate(input).hypotheses[0]).toMatchObject({ service: 'checkout' });
  });
});
