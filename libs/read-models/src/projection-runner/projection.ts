import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@vigil/event-store';

/**
 * A read model fed from the global order. `apply` receives a batch inside the transaction that also moves the
 * checkpoint, so a batch is applied exactly once; it must produce the same rows whenever it is replayed
 * (no wall clock, no serial ids) so a rebuild is byte-identical.
 */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns; a rebuild truncates them. */
  readonly tables: readonly string[];
  apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void>;
}
