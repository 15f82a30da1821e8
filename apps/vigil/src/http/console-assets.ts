import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INestApplication } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';

/** Where `npm run build:console` writes the UI. */
export const CONSOLE_DIST = resolve(__dirname, '../../../console/dist');

const API_PATHS = /^\/(api|healthz|readyz|webhooks|v1)(\/|$)/;

/** Serves the built console at `/` (client-side routes fall back to index.html); the API keeps its paths. */
export function serveConsole(app: INestApplication, dist = CONSOLE_DIST): boolean {
  const index = join(dist, 'index.html');
  const built = existsSync(index);
  const staticFiles = express.static(dist, { index: false, maxAge: '1h', fallthrough: true });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || API_PATHS.test(request.path)) return next();
    if (!built) {
      response.status(503).type('text/plain').send('The console UI is not built: run `npm run build:console` (npm start does it for you).\n');
      return;
    }
    staticFiles(request, response, () => {
      if (/\.[a-z0-9]+$/i.test(request.path)) return next();
      response.setHeader('cache-control', 'no-cache');
      response.sendFile(index);
    });
  });
  return built;
}
