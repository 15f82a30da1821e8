/**
 * The idle wait of a log follower: sleeps until the poll interval passes or `poke()` is called. A poke that
 * arrives while the follower is busy is remembered, so the next sleep returns at once instead of losing it.
 */
export class WakeUp {
  private wake?: () => void;
  private poked = false;

  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.poked = false;
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
