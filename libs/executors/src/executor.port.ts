/**
 * The port through which approved actions reach production. One adapter per platform (ArgoCD, Kubernetes,
 * webhook); the execution worker picks the adapter by `action.kind`.
 */
export interface Action {
  /** e.g. `argocd.rollback`, `k8s.scale`, `k8s.rollout-restart`, `k8s.rollback`, `k8s.drain-node`. */
  readonly kind: string;
  /** Platform-specific address, e.g. `argocd:payments` or `k8s:prod/payments-api` or `node:ip-10-0-1-7`. */
  readonly target: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** Durable notes the worker keeps for an execution across attempts (stored as events by the caller). */
export interface ExecutionJournal {
  /** Steps recorded by earlier attempts of this execution, oldest first. */
  readonly steps: readonly ExecutionStep[];
  /** Records a step durably BEFORE the external call it announces, so a retry after a crash can reconcile. */
  record(step: ExecutionStep): Promise<void>;
}

export interface ExecutionStep {
  readonly name: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface ExecutionContext {
  readonly executionId: string;
  /** Stable across attempts of the same execution. */
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly journal: ExecutionJournal;
  /** Extends the worker's lease; call it while waiting on long operations. */
  heartbeat(): Promise<void>;
  readonly signal: AbortSignal;
}

export type ExecutionOutcome =
  | { readonly status: 'succeeded'; readonly result: Readonly<Record<string, unknown>>; readonly inverse?: Action }
  | { readonly status: 'failed'; readonly error: string; readonly code: string; readonly retryable: boolean };

export interface DryRunResult {
  readonly supported: boolean;
  /** Human-readable diff or summary of what would change. */
  readonly summary: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ActionExecutor {
  readonly kinds: readonly string[];
  /** Validates params and reports what would change, without changing anything. */
  dryRun(action: Action): Promise<DryRunResult>;
  /**
   * Performs the action at most once per execution, even when called again after a crash mid-call:
   * implementations consult `context.journal` and the platform's own state before any side effect.
   */
  execute(action: Action, context: ExecutionContext): Promise<ExecutionOutcome>;
}

export class ExecutorRegistry {
  private readonly byKind = new Map<string, ActionExecutor>();

  constructor(executors: readonly ActionExecutor[]) {
    for (const executor of executors) for (const kind of executor.kinds) this.byKind.set(kind, executor);
  }

  executorFor(kind: string): ActionExecutor | undefined {
    return this.byKind.get(kind);
  }

  get kinds(): string[] {
    return [...this.byKind.keys()];
  }
}
