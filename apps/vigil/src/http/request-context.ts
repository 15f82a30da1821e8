import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedRequest } from '../auth/authenticated-request';

export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  context.switchToHttp().getRequest<AuthenticatedRequest>().correlationId ?? 'unknown');

/** `Idempotency-Key` header: a retried request with the same key appends nothing new. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const key = context.switchToHttp().getRequest<AuthenticatedRequest>().header('idempotency-key');
  return key && /^[A-Za-z0-9._:-]{1,128}$/.test(key) ? key : undefined;
});
