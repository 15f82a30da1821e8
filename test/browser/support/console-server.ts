import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { CONSOLE_DIST } from './console-build';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };

/**
 * The console's origin for the browser: the control plane itself when it serves the built UI at `/`, otherwise a
 * small static server for apps/console/dist that proxies /api (SSE included) to the control plane.
 */
export async function consoleOrigin(base: string): Promise<{ url: string; close(): Promise<void> }> {
  const root = await fetch(`${base}/`).then(async (r) => (r.ok ? r.text() : ''), () => '');
  if (root.includes('id="app"')) return { url: base, close: async () => undefined };
  const api = new URL(base);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console');
    if (url.pathname.startsWith('/api/')) {
      const upstream = httpRequest({ host: api.hostname, port: api.port, method: req.method, path: req.url, headers: { ...req.headers, host: api.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.on('close', () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    const file = normalize(join(CONSOLE_DIST, url.pathname === '/' ? 'index.html' : url.pathname));
    const path = file.startsWith(CONSOLE_DIST) && existsSync(file) && statSync(file).isFile() ? file : join(CONSOLE_DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
