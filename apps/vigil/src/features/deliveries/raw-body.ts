import type { NextFunction, Request, Response } from 'express';
import { HttpAdapterHost } from '@nestjs/core';

/** A webhook request with the exact bytes it was signed over. */
export interface RawBodyRequest extends Request {
  rawBody?: Buffer;
}

const LIMIT_BYTES = 1024 * 1024;
const INSTALLED = Symbol.for('vigil.rawBodyCapture');

/**
 * Webhooks that verify signatures (Slack, PagerDuty) need the raw body, which Nest's body parsers discard. Installed
 * from a provider factory — before Nest registers its parsers in `init()` — this middleware reads `/webhooks/*`
 * bodies itself, keeps the bytes as `rawBody`, and parses JSON and form bodies into `body`; the parsers then find
 * the request already read and leave it alone. Idempotent per HTTP server.
 */
export function installRawBodyCapture(host: HttpAdapterHost): true {
  const instance = host.httpAdapter?.getInstance() as ({ use: (path: string, handler: unknown) => void } & Record<symbol, boolean>) | undefined;
  if (!instance || instance[INSTALLED]) return true;
  instance[INSTALLED] = true;
  instance.use('/webhooks', (req: RawBodyRequest, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' && req.method !== 'PUT') return next();
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMIT_BYTES && !failed) {
        failed = true;
        res.status(413).json({ code: 'WEBHOOK.TOO_LARGE', message: `webhook bodies are limited to ${LIMIT_BYTES} bytes` });
        req.destroy();
        return;
      }
      if (!failed) chunks.push(chunk);
    });
    req.on('error', (error) => {
      if (!failed) next(error);
    });
    req.on('end', () => {
      if (failed) return;
      const raw = Buffer.concat(chunks);
      req.rawBody = raw;
      const type = String(req.headers['content-type'] ?? '');
      try {
        if (type.includes('application/json')) req.body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
        else if (type.includes('application/x-www-form-urlencoded')) req.body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
        else req.body = {};
      } catch {
        res.status(400).json({ code: 'WEBHOOK.INVALID_BODY', message: 'the body is not valid JSON' });
        return;
      }
      next();
    });
  });
  return true;
}

export const RAW_BODY_CAPTURE = Symbol('RawBodyCapture');
export const rawBodyCaptureProvider = { provide: RAW_BODY_CAPTURE, useFactory: installRawBodyCapture, inject: [HttpAdapterHost] };
