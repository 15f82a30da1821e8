import { DomainError } from '@vigil/domain/shared';
import { CommandBus } from '@vigil/application';
import { approvalTimeoutTimer } from '@vigil/domain/approval-saga';
import { sha256Hex, uuidFromSeed } from './hashing';
import { refusalOf } from './refusals';
import { jobIdOf } from './timers/bull-timers';
import { TimerWorkRunner } from './timers/timer-work-runner';
import { SignalCheck } from './signal-check';

describe('saga host parts', () => {
  it('maps timer ids to BullMQ job ids without colons, one to one', () => {
    expect(jobIdOf('approval-timeout:3f2a:0')).toBe('approval-timeout%3A3f2a%3A0');
    expect(jobIdOf('a:b')).not.toBe(jobIdOf('a%3Ab'));
  });

  it('hashes actions as sha256 hex and derives uuid v5 ids from seeds, the same every time', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(uuidFromSeed('approval:e-1')).toBe(uuidFromSeed('approval:e-1'));
    expect(uuidFromSeed('approval:e-1')).not.toBe(uuidFromSeed('approval:e-2'));
    expect(uuidFromSeed('approval:e-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('tells domain refusals (skip) from failures (retry)', () => {
    expect(refusalOf(new DomainError('APPROVAL.CLOSED', 'conflict', 'approval is granted'))).toEqual({ code: 'APPROVAL.CLOSED', message: 'approval is granted' });
    expect(refusalOf(new Error('connection refused'))).toBeUndefined();
  });

  describe('a due timer', () => {
    const sent: { now: string; key?: string }[] = [];
    const bus = {
      send: async (_aggregate: string, id: string, command: { metadata: { now: string; idempotencyKey?: string } }) => {
        sent.push({ now: command.metadata.now, key: command.metadata.idempotencyKey });
        if (id === 'appr-decided') throw new DomainError('APPROVAL.NOT_YET_DUE', 'conflict', 'not yet');
        return { replayed: false, events: [{}] };
      },
    } as unknown as CommandBus;
    const noCheck: SignalCheck = { check: async () => ({ recovered: true, evidence: {} }) };
    const timer = approvalTimeoutTimer('appr-1', 0, '2025-03-01T10:30:00.000Z');
    beforeEach(() => (sent.length = 0));

    it('is sent with its idempotency key, and `now` is when it really fired', async () => {
      const runner = new TimerWorkRunner(bus, noCheck, undefined, () => '2025-03-01T10:30:02.000Z');
      await expect(runner.perform(timer.work)).resolves.toEqual({ outcome: 'appended', events: 1 });
      expect(sent).toEqual([{ now: '2025-03-01T10:30:02.000Z', key: 'timer:approval-timeout:appr-1:0' }]);
    });

    it('never says it fired before it was due, even with a clock a little behind', async () => {
      const runner = new TimerWorkRunner(bus, noCheck, undefined, () => '2025-03-01T10:29:59.990Z');
      await runner.perform(timer.work);
      expect(sent[0].now).toBe('2025-03-01T10:30:00.000Z');
    });

    it('ends on a domain refusal instead of retrying it', async () => {
      const runner = new TimerWorkRunner(bus, noCheck, undefined, () => '2025-03-01T10:30:02.000Z');
      const refusing = approvalTimeoutTimer('appr-decided', 0, '2025-03-01T10:30:00.000Z');
      await expect(runner.perform(refusing.work)).resolves.toEqual({ outcome: 'refused', code: 'APPROVAL.NOT_YET_DUE' });
    });
  });
});
