import { anomalyDecider } from '@vigil/domain/anomaly';
import { ApprovalPolicy, approvalDecider } from '@vigil/domain/approval';
import { escalationDecider } from '@vigil/domain/escalation';
import { executionDecider } from '@vigil/domain/execution';
import { investigationDecider } from '@vigil/domain/investigation';
import { remediationProposalDecider } from '@vigil/domain/remediation';
import { Decider, DomainCommand, DomainError, DomainEvent, compareInstants } from '@vigil/domain/shared';
import { SagaOptions, readableIds } from './context';
import { RecordedEventLike } from './events';
import { Notify, SagaAggregate, SagaOutput, Schedule, Send } from './outputs';
import { react } from './react';
import { factsFor, fakeHash } from './spec-fixtures';

const DECIDERS: Record<SagaAggregate, Decider<unknown, DomainCommand, DomainEvent>> = {
  anomaly: anomalyDecider as unknown as Decider<unknown, DomainCommand, DomainEvent>,
  investigation: investigationDecider as unknown as Decider<unknown, DomainCommand, DomainEvent>,
  proposal: remediationProposalDecider as unknown as Decider<unknown, DomainCommand, DomainEvent>,
  approval: approvalDecider as unknown as Decider<unknown, DomainCommand, DomainEvent>,
  escalation: escalationDecider as unknown as Decider<unknown, DomainCommand, DomainEvent>,
  execution: executionDecider as unknown as Decider<unknown, DomainCommand, DomainEvent>,
};

type Stored = RecordedEventLike & { readonly streamId: string; readonly metadata: { readonly idempotencyKey?: string; readonly correlationId?: string } };

/**
 * The saga against the real deciders, in memory, for specs: a log, the command handling rules of the command bus
 * (load, decide, append; an idempotency key already in the stream appends nothing), timers and notices. It plays
 * the host's part without any of its I/O, so a whole story can be told in a unit spec.
 */
export class InMemoryWorld {
  readonly log: Stored[] = [];
  readonly timers = new Map<string, Schedule>();
  readonly notices: Notify[] = [];
  readonly refusals: { readonly command: string; readonly code: string }[] = [];
  readonly outputs: SagaOutput[] = [];
  private cursor = 0;
  private sequence = 0;

  constructor(
    private readonly policy: ApprovalPolicy,
    private readonly options: Partial<SagaOptions> = {},
  ) {}

  /** A command from outside the saga (a person, the API, a worker). */
  send(aggregate: SagaAggregate, id: string, command: DomainCommand): Stored[] {
    const streamId = `${aggregate}-${id}`;
    const history = this.stream(streamId);
    const key = command.metadata.idempotencyKey;
    if (key && history.some((e) => e.metadata.idempotencyKey === key)) return [];
    const decider = DECIDERS[aggregate];
    const state = history.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data }), decider.initialState());
    let events: DomainEvent[];
    try {
      events = decider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainError) {
        this.refusals.push({ command: command.type, code: error.code });
        return [];
      }
      throw error;
    }
    const stored = events.map((event) => ({
      streamId,
      eventId: `ev-${++this.sequence}`,
      type: event.type,
      data: event.data,
      metadata: { ...(key ? { idempotencyKey: key } : {}), ...(command.metadata.correlationId ? { correlationId: command.metadata.correlationId } : {}) },
    }));
    this.log.push(...stored);
    return stored;
  }

  /** Runs the saga over every event it has not seen yet (and over what its outputs append). */
  run(): void {
    while (this.cursor < this.log.length) {
      const event = this.log[this.cursor++];
      const outputs = react(event, {
        policy: this.policy,
        facts: factsFor(event, this.log.slice(0, this.cursor)),
        hash: fakeHash,
        deriveId: readableIds,
        options: this.options,
      });
      this.outputs.push(...outputs);
      for (const output of outputs) this.perform(output);
    }
  }

  /** Runs the saga again from the start of the log, as a host restarted from an empty checkpoint would. */
  rerunFromStart(): void {
    this.cursor = 0;
    this.run();
  }

  /** Fires a timer at `now` (not before its time), as the host's timer worker does. */
  fire(timerId: string, now?: string): void {
    const timer = this.timers.get(timerId);
    if (!timer) throw new Error(`no timer ${timerId} (timers: ${[...this.timers.keys()].join(', ')})`);
    this.timers.delete(timerId);
    const at = now && compareInstants(now, timer.at) > 0 ? now : timer.at;
    if (timer.work.type === 'Send') {
      const { send } = timer.work;
      this.send(send.aggregate, send.id, { ...send.command, metadata: { ...send.command.metadata, now: at } });
    } else {
      this.send('execution', timer.work.executionId, { type: 'VerifyExecution', data: { executionId: timer.work.executionId, recovered: true }, metadata: { ...timer.work.metadata, now: at } });
    }
    this.run();
  }

  stream(streamId: string): Stored[] {
    return this.log.filter((e) => e.streamId === streamId);
  }

  types(streamId: string): string[] {
    return this.stream(streamId).map((e) => e.type);
  }

  private perform(output: SagaOutput): void {
    switch (output.type) {
      case 'Send':
        this.send(output.aggregate, output.id, (output as Send).command);
        return;
      case 'Schedule':
        if (!this.timers.has(output.timerId)) this.timers.set(output.timerId, output);
        return;
      case 'Cancel':
        this.timers.delete(output.timerId);
        return;
      case 'Notify':
        if (!this.notices.some((n) => n.key === output.key)) this.notices.push(output);
        return;
    }
  }
}
