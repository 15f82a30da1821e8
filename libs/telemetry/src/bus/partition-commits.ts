/** The offset a consumer group resumes a partition from. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read: one past the last message handled. */
  offset: string;
}

interface Tracked {
  next: string;
  released: boolean;
  /** Called once the entry left the queue: committed, its commit failed, or forgotten at a rebalance. */
  done: () => void;
}

/**
 * Kafka offsets of handled batches, committed in partition order once released. A handler may resolve while part of
 * its batch is still held in memory (spans awaiting a tail-sampling decision) and release it seconds later; the
 * partition keeps flowing meanwhile. A batch's offset is committed only once it and every earlier batch of its
 * partition are released, so a crash redelivers everything not yet released, and nothing after it is skipped.
 *
 * After a rebalance kafkajs starts every assigned partition again from its committed offset (a new OffsetManager per
 * generation), so batches tracked before it are forgotten, not committed: they are delivered again.
 */
export class PartitionCommits {
  private readonly partitions = new Map<string, { topic: string; partition: number; queue: Tracked[] }>();
  private current = 0;
  private committing = false;
  private again = false;

  /** `commit` is called with at most one call in flight; a failure is ignored: a later commit supersedes it. */
  constructor(private readonly commit: (offsets: PartitionOffset[]) => Promise<void>) {}

  /** Generation of the assignment; batches tracked under an older one are ignored. */
  get generation(): number {
    return this.current;
  }

  /** The group rebalanced: forget what is pending (it will be delivered again from the committed offsets). */
  reset(): void {
    this.current++;
    for (const { queue } of this.partitions.values()) for (const tracked of queue) tracked.done();
    this.partitions.clear();
  }

  /** Offsets tracked and not yet committable, over all partitions. */
  get pending(): number {
    let count = 0;
    for (const { queue } of this.partitions.values()) count += queue.length;
    return count;
  }

  /**
   * A batch up to `lastOffset` was handled under `generation`; it is committed once `release` resolves (at once
   * without one). A release that rejects is never committed: the batch is delivered again after a restart.
   *
   * Resolves once the commit that carries this batch is done — at once when the batch has a release or waits behind
   * an earlier one's, so awaiting it never stalls a partition on a decision wait. A consumer that awaits it commits a
   * batch it finished outright before taking the next, as kafkajs's own commit on resolve did.
   */
  track(generation: number, topic: string, partition: number, lastOffset: string, release?: Promise<void>): Promise<void> {
    if (generation !== this.current) return Promise.resolve();
    const key = `${topic}\u0000${partition}`;
    let state = this.partitions.get(key);
    if (!state) this.partitions.set(key, (state = { topic, partition, queue: [] }));
    const blocked = state.queue.some((earlier) => !earlier.released);
    let done = () => {};
    const committed = new Promise<void>((resolve) => (done = resolve));
    const tracked: Tracked = { next: (BigInt(lastOffset) + 1n).toString(), released: false, done };
    state.queue.push(tracked);
    const released = () => {
      if (generation !== this.current) return;
      tracked.released = true;
      this.flush();
    };
    if (release) release.then(released, () => undefined);
    else released();
    return release || blocked ? Promise.resolve() : committed;
  }

  private flush(): void {
    if (this.committing) {
      this.again = true;
      return;
    }
    const offsets: PartitionOffset[] = [];
    const carried: Tracked[] = [];
    for (const state of this.partitions.values()) {
      let next: string | null = null;
      while (state.queue.length > 0 && state.queue[0].released) {
        const tracked = state.queue.shift()!;
        carried.push(tracked);
        next = tracked.next;
      }
      if (next !== null) offsets.push({ topic: state.topic, partition: state.partition, offset: next });
    }
    if (offsets.length === 0) return;
    this.committing = true;
    void this.commit(offsets).catch(() => undefined).finally(() => {
      for (const tracked of carried) tracked.done();
      this.committing = false;
      if (this.again) {
        this.again = false;
        this.flush();
      }
    });
  }
}
