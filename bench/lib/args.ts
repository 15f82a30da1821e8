/** A command-line mistake: run.ts prints the message and the benchmark's usage, then exits 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  readonly default: number;
  readonly description: string;
  /** Smallest accepted value (default 1). */
  readonly min?: number;
  readonly integer?: boolean;
}

/**
 * Numeric flags only (`--seconds 3`, `--events=200000`, `--events 1_000_000`, `--events 1e6`): benchmarks are
 * knobs, not commands. Unknown flags and stray arguments are errors so a typo never runs a silently default bench.
 */
export function parseFlags<K extends string>(args: readonly string[], spec: Record<K, FlagSpec>): Record<K, number> {
  const values = Object.fromEntries(Object.entries<FlagSpec>(spec).map(([name, flag]) => [name, flag.default])) as Record<K, number>;
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(args[i]);
    if (!match) throw new UsageError(`Unexpected argument "${args[i]}"`);
    const name = match[1] as K;
    const flag: FlagSpec | undefined = spec[name];
    if (!flag) throw new UsageError(`Unknown flag --${match[1]}`);
    const text = match[2] ?? args[++i];
    if (text === undefined) throw new UsageError(`--${name} needs a value`);
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isFinite(value) || value < (flag.min ?? 1) || (flag.integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} ${text}: expected ${flag.integer ? 'an integer' : 'a number'} ≥ ${flag.min ?? 1}`);
    }
    values[name] = value;
  }
  return values;
}

export function flagsUsage(spec: Record<string, FlagSpec>): string {
  return Object.entries(spec)
    .map(([name, flag]) => `  --${name.padEnd(12)} ${flag.description} (default ${flag.default})`)
    .join('\n');
}
