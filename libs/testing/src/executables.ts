import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A binary or tool the harness needs is not installed; the message says how to install it. */
export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
}

/** Absolute path of `name` on PATH, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this PATH entry.
    }
  }
  return undefined;
}

/** Absolute path of `name` on PATH; throws e.g. "redis-server not found on PATH: apt-get install redis-server". */
export function requireExecutable(name: string, installHint: string): string {
  const found = findExecutable(name);
  if (!found) throw new MissingDependencyError(`${name} not found on PATH: ${installHint}`);
  return found;
}
