import { CommandBus } from '@vigil/application';
import { TimerWork } from '@vigil/domain/approval-saga';
import { compareInstants } from '@vigil/domain/shared';
import { Clock, SagaLogger, silentLogger, systemClock } from '../logger';
import { refusalOf } from '../refusals';
import { SignalCheck } from '../signal-check';

export type TimerOutcome =
  | { readonly outcome: 'appended'; readonly events: number }
  | { readonly outcome: 'replayed' }
  | { readonly outcome: 'refused'; readonly code: string };

/**
 * Does what a due timer says, through the command bus with the timer's idempotency key: a timer that fires twice,
 * or late, appends nothing new. `now` is the later of the due time and the clock, so the record says when it
 * really happened. Domain refusals (a decision won the race) end the timer; other errors are thrown for a retry.
 */
export class TimerWorkRunner {
  constructor(
    private readonly bus: CommandBus,
    private readonly signalCheck: SignalCheck,
    private readonly logger: SagaLogger = silentLogger,
    private readonly clock: Clock = systemClock,
  ) {}

  async perform(work: TimerWork): Promise<TimerOutcome> {
    try {
      if (work.type === 'Send') {
        const { aggregate, id, command } = work.send;
        const result = await this.bus.send(aggregate, id, { ...command, metadata: { ...command.metadata, now: this.nowAfter(command.metadata.now) } } as never);
        return result.replayed ? { outcome: 'replayed' } : { outcome: 'appended', events: result.events.length };
      }
      const { executionId, anomalyId, metadata } = work;
      const { recovered, evidence } = await this.signalCheck.check(anomalyId, { executionId });
      const result = await this.bus.send('execution', executionId, {
        type: 'VerifyExecution',
        data: { executionId, recovered, evidence },
        metadata: { ...metadata, now: this.nowAfter(metadata.now) },
      });
      return result.replayed ? { outcome: 'replayed' } : { outcome: 'appended', events: result.events.length };
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      this.logger.info({ work: describe(work), code: refusal.code, reason: refusal.message }, 'timer refused by the domain; nothing to do');
      return { outcome: 'refused', code: refusal.code };
    }
  }

  private nowAfter(due: string): string {
    const now = this.clock();
    return compareInstants(now, due) > 0 ? now : due;
  }
}

const describe = (work: TimerWork): string =>
  work.type === 'Send' ? `${work.send.command.type} ${work.send.aggregate}/${work.send.id}` : `VerifyExecution execution/${work.executionId}`;
