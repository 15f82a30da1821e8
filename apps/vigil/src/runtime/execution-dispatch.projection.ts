import { ExecutionQueue } from '@vigil/execution-worker';
import { Projection } from '@vigil/read-models';

/**
 * Hands every requested execution to the worker queue, following the log with its own checkpoint like a read
 * model. Enqueueing is idempotent (job id = execution id), so a batch replayed after a crash does no harm; the
 * lease sweeper re-drives anything Redis lost.
 */
export function executionDispatch(queue: ExecutionQueue): Projection {
  return {
    name: 'dispatch:executions',
    tables: [],
    async apply(events) {
      for (const event of events) {
        if (event.type === 'ExecutionRequested') await queue.enqueue((event.data as { executionId: string }).executionId);
      }
    },
  };
}
