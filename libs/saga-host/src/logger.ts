/** The slice of a pino logger the saga host writes to (a pino Logger fits). */
export interface SagaLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: SagaLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Wall clock as an ISO-8601 instant; injectable so specs can move time. */
export type Clock = () => string;
export const systemClock: Clock = () => new Date().toISOString();
