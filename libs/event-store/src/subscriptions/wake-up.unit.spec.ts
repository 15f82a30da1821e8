import { WakeUp } from './wake-up';

describe('WakeUp', () => {
  it('sleeps for the interval when nobody pokes', async () => {
    const started = Date.now();
    await new WakeUp().sleep(40);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('returns at once when poked during the sleep', async () => {
    const wakeUp = new WakeUp();
    const started = Date.now();
    const sleeping = wakeUp.sleep(5_000);
    wakeUp.poke();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('remembers a poke that arrived while busy, so the next sleep is skipped once', async () => {
    const wakeUp = new WakeUp();
    wakeUp.poke();
    const started = Date.now();
    await wakeUp.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = Date.now();
    await wakeUp.sleep(40);
    expect(Date.now() - second).toBeGreaterThanOrEqual(35);
  });

  it('re-reads every few milliseconds for a short while after a poke (a fresh append may still be behind the fence)', async () => {
    const wakeUp = new WakeUp();
    wakeUp.poke();
    await wakeUp.sleep(5_000); // consumes the poke
    const started = Date.now();
    await wakeUp.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
