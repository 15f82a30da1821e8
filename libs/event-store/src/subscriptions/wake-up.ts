/** After a poke, how long the follower keeps re-reading quickly, and how quickly. */
const FOLLOW_UP_MS = 250;
const FOLLOW_UP_INTERVAL_MS = 5;

/**
 * The idle wait of a log follower: sleeps until the poll interval passes or `poke()` is called. A poke that
 * arrives while the follower is busy is remembered, so the next sleep returns at once instead of losing it. For a
 * short while after a poke the follower re-reads every few milliseconds: a fresh append can stay hidden behind the
 * visibility fence while another transaction (a projection batch, say) is still open, and waiting a full poll
 * interval for it would add that interval to every hop of the saga.
 */
export class WakeUp {
  private wake?: () => void;
  private poked = false;
  private lastPokeAt = 0;

  poke(): void {
    this.poked = true;
    this.lastPokeAt = Date.now();
    this.wake?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    const wait = Date.now() - this.lastPokeAt < FOLLOW_UP_MS ? Math.min(ms, FOLLOW_UP_INTERVAL_MS) : ms;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.poked = false;
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.wake = done;
    });
  }
}
