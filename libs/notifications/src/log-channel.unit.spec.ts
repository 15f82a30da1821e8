import { LogChannel, NotificationLogger } from './log-channel';
import { Notification } from './notification';

const notification: Notification = {
  key: 'saga:e-1:notify:level-0:1',
  channel: 'log',
  target: { role: 'team-lead', channel: 'log' },
  subject: 'Approval needed (medium tier): appr-1',
  message: 'Proposal prop-1 v1: argocd.rollback on argocd:payments-api',
  severity: 'info',
  at: '2025-03-01T10:00:00.000Z',
  escalationId: 'esc-1',
  level: 0,
  correlationId: 'corr-1',
  refs: { approvalId: 'appr-1' },
};

function capture() {
  const lines: { level: string; object: object; message?: string }[] = [];
  const logger: NotificationLogger = {
    info: (object, message) => lines.push({ level: 'info', object, message }),
    warn: (object, message) => lines.push({ level: 'warn', object, message }),
  };
  return { lines, logger };
}

describe('LogChannel', () => {
  it('writes one structured line per notification and answers with a reference to it', async () => {
    const { lines, logger } = capture();
    const delivery = await new LogChannel(logger).send(notification);
    expect(delivery).toEqual({ externalRef: 'log:saga:e-1:notify:level-0:1' });
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'Approval needed (medium tier): appr-1',
        object: expect.objectContaining({ notification: notification.key, channel: 'log', target: notification.target, escalationId: 'esc-1', level: 0, correlationId: 'corr-1', text: notification.message }),
      },
    ]);
  });

  it('logs warnings and critical notices at warn level', async () => {
    const { lines, logger } = capture();
    await new LogChannel(logger).send({ ...notification, severity: 'critical' });
    expect(lines[0].level).toBe('warn');
  });
});
