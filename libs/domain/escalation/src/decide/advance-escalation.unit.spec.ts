import { EscalationStopped } from '../events';
import { meta, reached, spec, started, T0, T1, T2 } from '../spec-fixtures';

const stopped: EscalationStopped = { type: 'EscalationStopped', data: { escalationId: 'esc-1', approvalId: 'appr-1', why: 'granted', by: 'system:saga', at: T1 } };

describe('AdvanceEscalation', () => {
  it('reaches the next level with its targets and channels', () => {
    spec.given([started, reached(0, T0)]).when({ type: 'AdvanceEscalation', data: { escalationId: 'esc-1', toLevel: 1 }, metadata: meta(T1) })
      .then([reached(1, T1)]);
  });

  it('appends nothing for a level already reached (a redelivered timer)', () => {
    spec.given([started, reached(0, T0), reached(1, T1)]).when({ type: 'AdvanceEscalation', data: { escalationId: 'esc-1', toLevel: 1 }, metadata: meta(T2) })
      .then([]);
  });

  it('refuses to skip a level with ESCALATION.LEVEL_OUT_OF_ORDER', () => {
    spec.given([started, reached(0, T0)]).when({ type: 'AdvanceEscalation', data: { escalationId: 'esc-1', toLevel: 2 }, metadata: meta(T1) })
      .thenThrows('ESCALATION.LEVEL_OUT_OF_ORDER');
  });

  it('advancing past the last level yields EscalationExhausted', () => {
    spec.given([started, reached(0, T0), reached(1, T1), reached(2, T2)]).when({
      type: 'AdvanceEscalation',
      data: { escalationId: 'esc-1', toLevel: 3 },
      metadata: meta('2025-03-01T11:30:00.000Z'),
    }).then([{ type: 'EscalationExhausted', data: { escalationId: 'esc-1', approvalId: 'appr-1', lastLevel: 2, at: '2025-03-01T11:30:00.000Z' } }]);
  });

  it('nothing escalates after a stop: advancing is refused with ESCALATION.CLOSED', () => {
    spec.given([started, reached(0, T0), stopped]).when({ type: 'AdvanceEscalation', data: { escalationId: 'esc-1', toLevel: 1 }, metadata: meta(T2) })
      .thenThrows('ESCALATION.CLOSED');
  });

  it('nothing escalates after exhaustion either', () => {
    spec.given([
      started, reached(0, T0), reached(1, T1), reached(2, T2),
      { type: 'EscalationExhausted', data: { escalationId: 'esc-1', approvalId: 'appr-1', lastLevel: 2, at: T2 } },
    ]).when({ type: 'AdvanceEscalation', data: { escalationId: 'esc-1', toLevel: 3 }, metadata: meta(T2) }).thenThrows('ESCALATION.CLOSED');
  });
});
