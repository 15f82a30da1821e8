import { Delivery, Notification, NotificationChannel } from './notification';

/** The slice of a pino logger the channel writes to. */
export interface NotificationLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
}

const stdoutLogger: NotificationLogger = {
  info: (object, message) => process.stdout.write(`${JSON.stringify({ level: 'info', ...object, msg: message })}\n`),
  warn: (object, message) => process.stdout.write(`${JSON.stringify({ level: 'warn', ...object, msg: message })}\n`),
};

/** One structured log line per notification: always available, and what the embedded default uses. */
export class LogChannel implements NotificationChannel {
  constructor(
    private readonly logger: NotificationLogger = stdoutLogger,
    readonly name = 'log',
  ) {}

  async send(notification: Notification): Promise<Delivery> {
    const { key, subject, message, severity, target, escalationId, level, correlationId, refs, at } = notification;
    const line = { notification: key, channel: this.name, target, severity, subject, text: message, escalationId, level, correlationId, refs, at };
    if (severity === 'info') this.logger.info(line, subject);
    else this.logger.warn(line, subject);
    return { externalRef: `log:${key}` };
  }
}
