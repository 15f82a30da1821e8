import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorKind } from '@vigil/domain/shared';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unprocessable: 422,
  unavailable: 503,
};

/** Every error leaves as `{code, message, correlationId}`; errors we cause are logged with the correlation id. */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { correlationId?: string }>();
    const response = http.getResponse<Response>();
    const correlationId = request.correlationId ?? 'unknown';
    if (error instanceof DomainError) {
      response.status(STATUS_OF_KIND[error.kind]).json({ code: error.code, message: error.message, correlationId, ...(error.details ? { details: error.details } : {}) });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
      response.status(status).json({ code: `HTTP.${status}`, message: Array.isArray(message) ? message.join('; ') : String(message), correlationId });
      return;
    }
    this.logger.error(`${correlationId} ${request.method} ${request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    response.status(500).json({ code: 'INTERNAL', message: 'Internal error; quote the correlation id when reporting it', correlationId });
  }
}
