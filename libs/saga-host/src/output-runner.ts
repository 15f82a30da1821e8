import { CommandBus } from '@vigil/application';
import { Notify, SagaOutput, Send } from '@vigil/domain/approval-saga';
import { SagaLogger, silentLogger } from './logger';
import { Notifier } from './notifier';
import { refusalOf } from './refusals';
import { within } from './timeouts';
import { TimerScheduler } from './timers/timer-scheduler';

/**
 * Runs one reaction's outputs in order (notices of one reaction in parallel). Every output is idempotent — sends
 * by their keys, timers by their ids, cancels by nature, escalation notices by their recorded outcome — so a
 * reaction that fails half-way is simply run again. A send the domain refuses is logged and skipped; a send that
 * fails otherwise (store down, conflicts past their retries) fails the reaction, to be run again.
 */
export class OutputRunner {
  constructor(
    private readonly bus: CommandBus,
    private readonly timers: TimerScheduler,
    private readonly notifier: Notifier,
    private readonly logger: SagaLogger = silentLogger,
    private readonly timerTimeoutMs = 5000,
  ) {}

  async run(outputs: readonly SagaOutput[], cause: { readonly eventId: string; readonly type: string }): Promise<void> {
    for (let index = 0; index < outputs.length; ) {
      const output = outputs[index];
      if (output.type === 'Notify') {
        const batch: Notify[] = [];
        while (index < outputs.length && outputs[index].type === 'Notify') batch.push(outputs[index++] as Notify);
        await Promise.all(batch.map((notice) => this.notifier.notify(notice)));
        continue;
      }
      index++;
      switch (output.type) {
        case 'Send':
          await this.send(output, cause);
          break;
        case 'Schedule':
          await this.bestEffort(() => this.timers.schedule(output), { cause: cause.eventId, timerId: output.timerId, at: output.at }, 'timer not armed; the reconciler will arm it');
          break;
        case 'Cancel':
          await this.bestEffort(() => this.timers.cancel(output.timerId), { cause: cause.eventId, timerId: output.timerId }, 'timer not cancelled; it will find nothing to do');
          break;
      }
    }
  }

  /**
   * Timers do not hold the saga up: with Redis unreachable the reaction goes on (commands and notices still flow),
   * and the reconciler, which arms every timer the log says must exist, arms the missing one on its next pass.
   */
  private async bestEffort(operation: () => Promise<void>, context: object, message: string): Promise<void> {
    try {
      const done = await within(operation().then(() => true), this.timerTimeoutMs);
      if (done === undefined) throw new Error(`no answer from Redis within ${this.timerTimeoutMs} ms`);
    } catch (error) {
      this.logger.error({ ...context, err: error }, message);
    }
  }

  private async send(output: Send, cause: { readonly eventId: string; readonly type: string }): Promise<void> {
    const { aggregate, id, command } = output;
    try {
      const result = await this.bus.send(aggregate, id, command as never);
      this.logger.debug({ cause: cause.eventId, command: command.type, aggregate, id, appended: result.replayed ? 0 : result.events.length }, 'saga command sent');
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      this.logger.warn(
        { cause: cause.eventId, causeType: cause.type, command: command.type, aggregate, id, code: refusal.code, reason: refusal.message },
        'saga command refused by the domain; skipped',
      );
    }
  }
}
