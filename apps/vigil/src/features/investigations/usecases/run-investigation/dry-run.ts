import { DryRunOutcome, RemediationAction } from '@vigil/domain/remediation';
import { isJsonObject } from '@vigil/domain/shared';
import { ExecutorRegistry } from '@vigil/executors';

/** What the executor of an action says it would change; undefined when no executor can tell (not configured, no dry run). */
export type DryRunner = (action: RemediationAction) => Promise<DryRunOutcome | undefined>;

export const noDryRun: DryRunner = async () => undefined;

/** Dry runs through the executors the worker would use; a dry run that throws is a failed one (the approver sees why). */
export function dryRunWith(registry: ExecutorRegistry): DryRunner {
  return async (action) => {
    const executor = registry.executorFor(action.kind);
    if (!executor) return undefined;
    try {
      const result = await executor.dryRun(action);
      if (!result.supported) return undefined;
      const details = result.details ? JSON.parse(JSON.stringify(result.details)) : undefined;
      return { ok: true, summary: result.summary, ...(isJsonObject(details) ? { details } : {}) };
    } catch (error) {
      return { ok: false, summary: error instanceof Error ? error.message : String(error) };
    }
  };
}
