import { PartitionCommits, type PartitionOffset } from './partition-commits';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const ticks = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('partition commits', () => {
  let committed: PartitionOffset[][];
  let commits: PartitionCommits;

  beforeEach(() => {
    committed = [];
    commits = new PartitionCommits(async (offsets) => {
      committed.push(offsets);
    });
  });

  it('commits a batch without a release at once, one past its last offset', async () => {
    commits.track(commits.generation, 'spans', 0, '41');
    await ticks();
    expect(committed).toEqual([[{ topic: 'spans', partition: 0, offset: '42' }]]);
  });

  it('holds a released batch back while an earlier batch of its partition is still held, then commits both at once', async () => {
    const first = deferred();
    commits.track(commits.generation, 'spans', 0, '9', first.promise);
    commits.track(commits.generation, 'spans', 0, '19');
    commits.track(commits.generation, 'spans', 1, '4');
    await ticks();
    expect(committed).toEqual([[{ topic: 'spans', partition: 1, offset: '5' }]]);
    expect(commits.pending).toBe(2);
    first.resolve();
    await ticks();
    expect(committed[1]).toEqual([{ topic: 'spans', partition: 0, offset: '20' }]);
    expect(commits.pending).toBe(0);
  });

  it('never commits a batch whose release rejects, nor anything after it in its partition', async () => {
    const failed = deferred();
    commits.track(commits.generation, 'spans', 0, '9', failed.promise);
    commits.track(commits.generation, 'spans', 0, '19');
    failed.reject(new Error('stopped'));
    await ticks();
    expect(committed).toEqual([]);
  });

  it('forgets what was pending at a rebalance and ignores batches of the old generation', async () => {
    const held = deferred();
    const before = commits.generation;
    commits.track(before, 'spans', 0, '9', held.promise);
    commits.reset();
    held.resolve();
    commits.track(before, 'spans', 0, '19');
    await ticks();
    expect(committed).toEqual([]);
    commits.track(commits.generation, 'spans', 0, '29');
    await ticks();
    expect(committed).toEqual([[{ topic: 'spans', partition: 0, offset: '30' }]]);
  });

  it('keeps one commit in flight and sends what was released meanwhile right after it, a failed commit superseded by the next', async () => {
    const calls: Array<{ offsets: PartitionOffset[]; done: ReturnType<typeof deferred> }> = [];
    const slow = new PartitionCommits((offsets) => {
      const done = deferred();
      calls.push({ offsets, done });
      return done.promise;
    });
    slow.track(slow.generation, 'spans', 0, '1');
    slow.track(slow.generation, 'spans', 0, '2');
    slow.track(slow.generation, 'logs', 3, '7');
    await ticks();
    expect(calls).toHaveLength(1);
    calls[0].done.reject(new Error('rebalance in progress'));
    await ticks();
    expect(calls.map((call) => call.offsets)).toEqual([
      [{ topic: 'spans', partition: 0, offset: '2' }],
      [{ topic: 'spans', partition: 0, offset: '3' }, { topic: 'logs', partition: 3, offset: '8' }],
    ]);
  });

  it('lets the consumer await the commit of a batch it finished outright, but never a decision wait', async () => {
    const calls: Array<ReturnType<typeof deferred>> = [];
    const slow = new PartitionCommits(() => {
      const done = deferred();
      calls.push(done);
      return done.promise;
    });
    const state = (promise: Promise<void>) => Promise.race([promise.then(() => 'resolved'), ticks().then(() => 'pending')]);
    const outright = slow.track(slow.generation, 'logs', 0, '1');
    expect(await state(outright)).toBe('pending');
    calls[0].resolve();
    expect(await state(outright)).toBe('resolved');

    const held = deferred();
    expect(await state(slow.track(slow.generation, 'spans', 0, '1', held.promise))).toBe('resolved');
    // Behind the held batch: not awaited either, or the partition would stall for the decision wait.
    expect(await state(slow.track(slow.generation, 'spans', 0, '2'))).toBe('resolved');
  });
});
