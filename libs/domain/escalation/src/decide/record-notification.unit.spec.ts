import { meta, reached, spec, started, T0, T1 } from '../spec-fixtures';

describe('RecordNotificationSent / RecordNotificationFailed', () => {
  it('records a notification sent at a reached level with its external reference', () => {
    spec.given([started, reached(0, T0)]).when({
      type: 'RecordNotificationSent',
      data: { escalationId: 'esc-1', level: 0, channel: 'slack', target: { role: 'team-lead', channel: 'slack' }, externalRef: 'C042:1700000000.0001' },
      metadata: meta(T0),
    }).then([
      {
        type: 'NotificationSent',
        data: { escalationId: 'esc-1', level: 0, channel: 'slack', target: { role: 'team-lead', channel: 'slack' }, externalRef: 'C042:1700000000.0001', at: T0 },
      },
    ]);
  });

  it('records a failed notification and whether it is worth retrying', () => {
    spec.given([started, reached(0, T0), reached(1, T1)]).when({
      type: 'RecordNotificationFailed',
      data: { escalationId: 'esc-1', level: 1, channel: 'pagerduty', target: { role: 'team-lead', channel: 'pagerduty' }, error: '429 Too Many Requests', retryable: true },
      metadata: meta(T1),
    }).then([
      {
        type: 'NotificationFailed',
        data: { escalationId: 'esc-1', level: 1, channel: 'pagerduty', target: { role: 'team-lead', channel: 'pagerduty' }, error: '429 Too Many Requests', retryable: true, at: T1 },
      },
    ]);
  });

  it('records a notice deliberately not sent because a silence covers the anomaly, naming the silence', () => {
    spec.given([started, reached(0, T0), reached(1, T1)]).when({
      type: 'RecordNotificationSuppressed',
      data: { escalationId: 'esc-1', level: 1, channel: 'pagerduty', target: { role: 'team-lead', channel: 'pagerduty' }, silenceId: 'sil-9', reason: 'maintenance window' },
      metadata: meta(T1),
    }).then([
      {
        type: 'NotificationSuppressed',
        data: { escalationId: 'esc-1', level: 1, channel: 'pagerduty', target: { role: 'team-lead', channel: 'pagerduty' }, silenceId: 'sil-9', reason: 'maintenance window', at: T1 },
      },
    ]);
  });

  it('refuses a suppression without the silence that caused it', () => {
    spec.given([started, reached(0, T0)]).when({
      type: 'RecordNotificationSuppressed',
      data: { escalationId: 'esc-1', level: 0, channel: 'slack', target: { role: 'team-lead', channel: 'slack' }, silenceId: '', reason: '' },
      metadata: meta(T0),
    }).thenThrows('ESCALATION.INVALID_INPUT');
  });

  it('refuses an outcome for a level not reached yet with ESCALATION.LEVEL_NOT_REACHED', () => {
    spec.given([started, reached(0, T0)]).when({
      type: 'RecordNotificationSent',
      data: { escalationId: 'esc-1', level: 1, channel: 'pagerduty', target: { role: 'team-lead', channel: 'pagerduty' }, externalRef: 'dedup-1' },
      metadata: meta(T0),
    }).thenThrows('ESCALATION.LEVEL_NOT_REACHED');
  });

  it('still records the outcome of a notification sent before the stop (the log loses nothing)', () => {
    spec.given([
      started, reached(0, T0),
      { type: 'EscalationStopped', data: { escalationId: 'esc-1', approvalId: 'appr-1', why: 'granted', by: 'system:saga', at: T1 } },
    ]).when({
      type: 'RecordNotificationSent',
      data: { escalationId: 'esc-1', level: 0, channel: 'slack', target: { role: 'team-lead', channel: 'slack' }, externalRef: 'C042:1' },
      metadata: meta(T1),
    }).thenMatches((events) => events.length === 1 && events[0].type === 'NotificationSent', 'one NotificationSent');
  });
});
