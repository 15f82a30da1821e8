import { meta, reached, spec, started, T0, T1 } from '../spec-fixtures';

describe('StopEscalation', () => {
  it.each(['granted', 'rejected', 'acknowledged', 'cancelled'] as const)('stops an active escalation because the approval was %s', (why) => {
    spec.given([started, reached(0, T0)]).when({ type: 'StopEscalation', data: { escalationId: 'esc-1', why }, metadata: meta(T1) })
      .then([{ type: 'EscalationStopped', data: { escalationId: 'esc-1', approvalId: 'appr-1', why, by: 'system:saga', at: T1 } }]);
  });

  it('appends nothing when an escalation is stopped again', () => {
    spec.given([
      started, reached(0, T0),
      { type: 'EscalationStopped', data: { escalationId: 'esc-1', approvalId: 'appr-1', why: 'granted', by: 'system:saga', at: T1 } },
    ]).when({ type: 'StopEscalation', data: { escalationId: 'esc-1', why: 'cancelled' }, metadata: meta(T1) }).then([]);
  });

  it('refuses to stop an escalation that never started with ESCALATION.NOT_FOUND', () => {
    spec.given([]).when({ type: 'StopEscalation', data: { escalationId: 'esc-1', why: 'granted' }, metadata: meta(T1) })
      .thenThrows('ESCALATION.NOT_FOUND');
  });
});
