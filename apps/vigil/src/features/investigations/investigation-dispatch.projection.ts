import { Projection } from '@vigil/read-models';
import { InvestigationQueue } from './investigation-queue';

/**
 * Hands every opened investigation to the investigation queue, following the log with its own checkpoint. The runner
 * holds a transaction while it applies a batch, so the slow part (ClickHouse queries, commands) runs in the queue's
 * worker, not here. Enqueueing is idempotent (job id = investigation id): a batch replayed after a crash does no harm.
 */
export function investigationDispatch(queue: InvestigationQueue): Projection {
  return {
    name: 'dispatch:investigations',
    tables: [],
    async apply(events) {
      for (const event of events) {
        if (event.type !== 'InvestigationOpened') continue;
        const correlationId = event.metadata.correlationId;
        await queue.enqueue({
          investigationId: (event.data as { investigationId: string }).investigationId,
          openedEventId: event.eventId,
          ...(typeof correlationId === 'string' ? { correlationId } : {}),
        });
      }
    },
  };
}
