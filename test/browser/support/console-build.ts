import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
export const CONSOLE_DIR = join(ROOT, 'apps/console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the console (`npm run build:console`) unless apps/console/dist is newer than its sources. */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIST, 'index.html');
  const sources = Math.max(newestMtime(join(CONSOLE_DIR, 'src')), statSync(join(CONSOLE_DIR, 'index.html')).mtimeMs, statSync(join(CONSOLE_DIR, 'vite.config.mjs')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(CONSOLE_DIR, 'vite.config.mjs'), '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`Building the console failed:\n${result.stdout}\n${result.stderr}`);
}
