import { NotifyTarget } from '@vigil/domain/escalation';
import { RemediationAction } from '@vigil/domain/remediation';
import { canonicalJson } from '@vigil/domain/shared';
import { DEFAULT_SAGA_OPTIONS, SagaContext, SagaOptions } from './context';
import { Trigger, reactionKey, sagaMetadata } from './ids';
import { CommandsByAggregate, NoticeSeverity, Notify, SagaAggregate, Send } from './outputs';

type Unsent<Command> = Command extends { readonly metadata: unknown } ? Omit<Command, 'metadata'> : never;

/** What every reaction works with: the trigger, the context, and helpers that derive keys from the trigger. */
export interface Reaction {
  readonly trigger: Trigger;
  readonly context: SagaContext;
  readonly options: SagaOptions;
  /** A command whose idempotency key is `saga:<eventId>:<purpose>` (purpose defaults to the command type). */
  send<A extends SagaAggregate>(aggregate: A, id: string, command: Unsent<CommandsByAggregate[A]>, purpose?: string): Send;
  /** One Notify per target; keys `saga:<eventId>:notify:<purpose>:<index>`. */
  notify(targets: readonly NotifyTarget[], notice: Notice | ((target: NotifyTarget) => Notice), purpose?: string): Notify[];
}

export interface Notice {
  readonly subject: string;
  readonly message: string;
  readonly severity: NoticeSeverity;
  readonly refs: Readonly<Record<string, string>>;
  readonly escalation?: { readonly escalationId: string; readonly level: number };
}

export function reactionFor(trigger: Trigger, context: SagaContext): Reaction {
  return {
    trigger,
    context,
    options: { ...DEFAULT_SAGA_OPTIONS, ...context.options },
    send(aggregate, id, command, purpose = command.type) {
      return { type: 'Send', aggregate, id, command: { ...command, metadata: sagaMetadata(trigger, reactionKey(trigger.eventId, purpose)) } } as Send;
    },
    notify(targets, noticeFor, purpose = 'notice') {
      return targets.map((target, index) => {
        const notice = typeof noticeFor === 'function' ? noticeFor(target) : noticeFor;
        return {
          type: 'Notify',
          key: reactionKey(trigger.eventId, `notify:${purpose}:${index}`),
          channel: target.channel,
          target,
          subject: notice.subject,
          message: notice.message,
          ...(notice.escalation ? { escalationId: notice.escalation.escalationId, level: notice.escalation.level } : {}),
          severity: notice.severity,
          at: trigger.at,
          ...(trigger.correlationId ? { correlationId: trigger.correlationId } : {}),
          causationId: trigger.eventId,
          refs: notice.refs,
        };
      });
    },
  };
}

export const describeAction = (action: RemediationAction): string => `${action.kind} on ${action.target} ${canonicalJson(action.params)}`;
