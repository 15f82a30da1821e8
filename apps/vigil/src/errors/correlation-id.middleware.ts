import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Takes X-Correlation-Id from the caller when it is well-formed, else makes one; echoes it on the response. */
export function correlationId(request: Request & { correlationId?: string }, response: Response, next: NextFunction) {
  const given = request.header('x-correlation-id');
  request.correlationId = given && SAFE_ID.test(given) ? given : randomUUID();
  response.setHeader('x-correlation-id', request.correlationId);
  next();
}
