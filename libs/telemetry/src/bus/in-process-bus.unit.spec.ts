import { InProcessTelemetryBus } from './in-process-bus';
import { BusBackpressureError, type BusMessage } from './telemetry-bus';

const msg = (value: string) => ({ key: value, value: Buffer.from(value) });
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InProcessTelemetryBus', () => {
  it('holds messages until a group subscribes, redelivers a failed batch, and counts unacknowledged messages against capacity', async () => {
    const bus = new InProcessTelemetryBus({ capacity: 3, redeliveryDelayMs: 10 });
    await bus.publish('t', [msg('a'), msg('b')]);
    await expect(bus.publish('t', [msg('c'), msg('d')])).rejects.toBeInstanceOf(BusBackpressureError);

    const delivered: string[] = [];
    let fail = true;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subscription = await bus.subscribe({ topics: ['t'], groupId: 'g', handler: async (batch) => {
      if (fail) {
        fail = false;
        throw new Error('not yet');
      }
      await gate; // in flight: still counted
      delivered.push(...batch.messages.map((m: BusMessage) => m.value.toString()));
    } });
    await tick(30);
    expect(bus.backlog('t')).toBe(2);
    await expect(bus.publish('t', [msg('c'), msg('d')])).rejects.toMatchObject({ kind: 'full' });
    release();
    await tick(10);
    expect(delivered).toEqual(['a', 'b']);
    expect(bus.backlog('t')).toBe(0);
    await bus.publish('t', [msg('c')]);
    await tick();
    expect(delivered).toEqual(['a', 'b', 'c']);
    await subscription.stop();
    await bus.stop();
  });

  it('gives each consumer group every message, with ids stable per topic', async () => {
    const bus = new InProcessTelemetryBus();
    const seen: Record<string, string[]> = { one: [], two: [] };
    const subscriptions = await Promise.all(['one', 'two'].map((groupId) => bus.subscribe({ topics: ['t'], groupId, handler: async (batch) => {
      seen[groupId].push(...batch.messages.map((m) => m.id));
    } })));
    await bus.publish('t', [msg('x'), msg('y')]);
    await tick();
    expect(seen.one).toEqual(['t/0/0', 't/0/1']);
    expect(seen.two).toEqual(seen.one);
    await Promise.all(subscriptions.map((s) => s.stop()));
  });

  it('hands the publisher\'s decoded value to one consumer group, which then needs no bytes; another group reads the bytes', async () => {
    const bus = new InProcessTelemetryBus();
    let encoded = 0;
    const published = { key: 'k', decoded: { v: 1, n: 42 }, get value() {
      encoded++;
      return Buffer.from(JSON.stringify(this.decoded));
    } };
    const first: unknown[] = [];
    const one = await bus.subscribe({ topics: ['t'], groupId: 'one', handler: async (batch) => {
      first.push(...batch.messages.map((m) => m.decoded));
    } });
    await bus.publish('t', [published]);
    await tick();
    expect(first).toEqual([published.decoded]);
    expect(first[0]).toBe(published.decoded);
    expect(encoded).toBe(0);

    const second: Array<{ decoded: unknown; bytes: string }> = [];
    const two = await bus.subscribe({ topics: ['t'], groupId: 'two', handler: async (batch) => {
      await tick();
      second.push(...batch.messages.map((m) => ({ decoded: m.decoded, bytes: m.value.toString() })));
    } });
    // The owner changes its value at once; the other group still reads what was published.
    await one.stop();
    const owner = await bus.subscribe({ topics: ['t'], groupId: 'one', handler: async (batch) => {
      for (const m of batch.messages) (m.decoded as { n: number }).n = 0;
    } });
    await bus.publish('t', [published]);
    await tick();
    expect(second).toEqual([{ decoded: undefined, bytes: '{"v":1,"n":42}' }]);
    expect(encoded).toBe(1);
    expect(published.decoded.n).toBe(0);
    await Promise.all([owner.stop(), two.stop()]);
  });
});
