import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** JSON lines on stdout (pipe through `pino-pretty` to read them by eye). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'vigil' } });
}

/** Routes NestJS's own logging into pino so there is one log stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
