import { Action, ActionExecutor, DryRunResult, ExecutionOutcome } from './executor.port';

/**
 * Stands in for a platform that has no connection configured, so an approved action fails at once with a message
 * saying what to set — instead of hanging or reporting an unknown kind.
 */
export class NotConfiguredExecutor implements ActionExecutor {
  constructor(
    readonly kinds: readonly string[],
    private readonly platform: string,
    private readonly howToConfigure: string,
  ) {}

  async dryRun(action: Action): Promise<DryRunResult> {
    return { supported: false, summary: `${this.platform} is not configured (${this.howToConfigure}); ${action.kind} on ${action.target} cannot be checked` };
  }

  async execute(action: Action): Promise<ExecutionOutcome> {
    return {
      status: 'failed',
      code: 'EXECUTION.NOT_CONFIGURED',
      retryable: false,
      error: `${this.platform} is not configured: ${this.howToConfigure}. ${action.kind} on ${action.target} did not run.`,
    };
  }
}
