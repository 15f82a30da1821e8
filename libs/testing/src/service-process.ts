import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostProcess, isDebugEnabled, onHostExit } from './host';
import { settlesWithin } from './wait-for';

/** Keeps the last lines a server printed, to quote them when it fails to start. */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly label: string,
    private readonly maxLines = 40,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.addLine(line);
  }

  private addLine(line: string): void {
    if (isDebugEnabled()) hostProcess.stderr.write(`[${this.label}] ${line}\n`);
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  includes(text: string): boolean {
    return this.lines.some((line) => line.includes(text)) || this.partial.includes(text);
  }

  toString(): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.length ? all.map((line) => `  | ${line}`).join('\n') : '  | (no output)';
  }
}

// Plain sh so it costs ~1 MB; it outlives a SIGKILLed parent, which no in-process hook can.
const WATCHDOG_SCRIPT = `
parent=$1; pidfile=$2; signal=$3; dir=$4
while kill -0 "$parent" 2>/dev/null && [ -e "$pidfile" ]; do sleep 1; done
[ -e "$pidfile" ] || exit 0
pid=$(head -n 1 "$pidfile" 2>/dev/null)
if [ -n "$pid" ] && [ "$signal" != none ]; then
  kill -s "$signal" "$pid" 2>/dev/null
  n=0
  while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 30 ]; do sleep 1; n=$((n+1)); done
  kill -s KILL "$pid" 2>/dev/null
fi
[ -n "$dir" ] && rm -rf "$dir"
exit 0
`;

export interface WatchdogOptions {
  /** First line holds the pid to signal. The watchdog quits quietly once this file is gone (clean stop). */
  pidFile: string;
  /** Sent to that pid if this process dies first; 'none' only cleans up. */
  signal: NodeJS.Signals | 'none';
  /** Removed after the pid is gone, for temp dirs. */
  removeDir?: string;
}

/**
 * Kills a server (and removes its temp dir) if this Node process dies without running its exit hooks,
 * e.g. SIGKILL or a Jest worker being torn down.
 */
export function startWatchdog({ pidFile, signal, removeDir }: WatchdogOptions): void {
  const watchdog = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'vigil-watchdog', String(hostProcess.pid), pidFile, signal.replace(/^SIG/, ''), removeDir ?? ''], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
}

export interface ServiceProcessOptions {
  /** Human name used in messages, e.g. "redis-server". */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Where the watchdog pid file goes; a service's own temp dir. */
  stateDir: string;
  /** Temp dir the watchdog and exit hook remove if this process dies without stopping the service. */
  removeDirOnAbandon?: string;
}

/** One run of a server binary, spawned attached (detached: false) and killed when this process exits. */
export class ServiceProcess {
  readonly output: OutputTail;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitDescription: string | undefined;
  private readonly pidFile: string;
  private readonly unregisterExitHook: () => void;

  constructor(private readonly options: ServiceProcessOptions) {
    this.output = new OutputTail(options.name);
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.exitDescription = `could not be spawned: ${error.message}`;
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exitDescription = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
    this.pidFile = join(options.stateDir, `.vigil-${options.name}-${this.child.pid ?? 'unspawned'}.pid`);
    const { pid } = this.child;
    if (pid !== undefined) {
      writeFileSync(this.pidFile, `${pid}\n`);
      startWatchdog({ pidFile: this.pidFile, signal: 'SIGKILL', removeDir: options.removeDirOnAbandon });
    }
    void this.exited.then(() => rmSync(this.pidFile, { force: true }));
    this.unregisterExitHook = onHostExit(() => {
      if (pid !== undefined && !this.hasExited) hostProcess.kill(pid, 'SIGKILL');
      if (options.removeDirOnAbandon) rmSync(options.removeDirOnAbandon, { recursive: true, force: true });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitDescription !== undefined;
  }

  /** Why the process is gone, with its last output; undefined while it runs. Suits waitFor's failIf. */
  failure(): string | undefined {
    if (this.exitDescription === undefined) return undefined;
    return `${this.options.name} ${this.exitDescription}. Last output:\n${this.output}`;
  }

  /** Sends `signal`, waits up to `graceMs` for exit, then SIGKILLs. Safe to call after the process died. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
    if (!this.hasExited) {
      this.child.kill(signal);
      if (!(await settlesWithin(this.exited, graceMs))) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await this.exited;
    rmSync(this.pidFile, { force: true });
    this.unregisterExitHook();
  }
}
