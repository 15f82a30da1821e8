import { levels, meta, reached, spec, started, T0 } from '../spec-fixtures';

describe('StartEscalation', () => {
  it('starts with the policy levels and reaches level 0, the notice sent with the request', () => {
    spec.given([]).when({ type: 'StartEscalation', data: { escalationId: 'esc-1', approvalId: 'appr-1', levels }, metadata: meta(T0) })
      .then([started, reached(0, T0)]);
  });

  it('refuses levels that are not numbered 0, 1, 2… with ESCALATION.INVALID_LEVELS naming the field', () => {
    const error = spec.given([]).when({
      type: 'StartEscalation',
      data: { escalationId: 'esc-1', approvalId: 'appr-1', levels: [levels[0], { ...levels[1], level: 2 }] },
      metadata: meta(T0),
    }).thenThrows('ESCALATION.INVALID_LEVELS');
    expect((error as unknown as { details: { field: string } }).details.field).toBe('levels[1].level');
  });

  it('refuses a level that notifies through an unknown channel', () => {
    spec.given([]).when({
      type: 'StartEscalation',
      // @ts-expect-error carrier pigeon is not a channel
      data: { escalationId: 'esc-1', approvalId: 'appr-1', levels: [{ level: 0, after: 0, notify: [{ role: 'sre', channel: 'pigeon' }] }] },
      metadata: meta(T0),
    }).thenThrows('ESCALATION.INVALID_LEVELS');
  });

  it('refuses to start twice with ESCALATION.ALREADY_STARTED', () => {
    spec.given([started]).when({ type: 'StartEscalation', data: { escalationId: 'esc-1', approvalId: 'appr-1', levels }, metadata: meta() })
      .thenThrows('ESCALATION.ALREADY_STARTED');
  });
});
