import { AnomalyCommand } from '@vigil/domain/anomaly';
import { ApprovalCommand } from '@vigil/domain/approval';
import { EscalationCommand, NotificationChannel, NotifyTarget } from '@vigil/domain/escalation';
import { ExecutionCommand } from '@vigil/domain/execution';
import { InvestigationCommand } from '@vigil/domain/investigation';
import { RemediationProposalCommand } from '@vigil/domain/remediation';
import { CommandMetadata } from '@vigil/domain/shared';

/** The commands each aggregate accepts, by the names the application's aggregate registry uses (`approval-<id>`). */
export interface CommandsByAggregate {
  readonly anomaly: AnomalyCommand;
  readonly investigation: InvestigationCommand;
  readonly proposal: RemediationProposalCommand;
  readonly approval: ApprovalCommand;
  readonly escalation: EscalationCommand;
  readonly execution: ExecutionCommand;
}

export type SagaAggregate = keyof CommandsByAggregate;

/** Send `command` to the aggregate `aggregate`/`id`; its metadata carries the idempotency key. */
export type Send = {
  [A in SagaAggregate]: { readonly type: 'Send'; readonly aggregate: A; readonly id: string; readonly command: CommandsByAggregate[A] };
}[SagaAggregate];

/** What a timer does when it is due. */
export type TimerWork =
  /** Send the command (its metadata.now is the due time; the host may use a later clock reading). */
  | { readonly type: 'Send'; readonly send: Send }
  /**
   * Re-check the anomaly's signal (the host's SignalCheck port) and send `VerifyExecution{recovered, evidence}`
   * with this metadata.
   */
  | { readonly type: 'VerifyExecution'; readonly executionId: string; readonly anomalyId: string; readonly metadata: CommandMetadata };

/** A durable timer: `timerId` is deterministic, so scheduling the same timer twice is one timer. */
export interface Schedule {
  readonly type: 'Schedule';
  readonly timerId: string;
  /** ISO-8601 instant at which the work is due. */
  readonly at: string;
  readonly work: TimerWork;
}

/** Drop a timer; a timer that already fired or never existed is fine. */
export interface Cancel {
  readonly type: 'Cancel';
  readonly timerId: string;
}

/**
 * Tell someone something. With `escalationId` and `level` the delivery outcome is recorded on that escalation
 * (RecordNotificationSent / RecordNotificationFailed, idempotency key `key`).
 */
export interface Notify {
  readonly type: 'Notify';
  /** Deterministic: the same triggering event yields the same key, so a re-run can tell it was already sent. */
  readonly key: string;
  readonly channel: NotificationChannel;
  readonly target: NotifyTarget;
  readonly subject: string;
  readonly message: string;
  readonly escalationId?: string;
  readonly level?: number;
  readonly severity: NoticeSeverity;
  /** The triggering event's time. */
  readonly at: string;
  readonly correlationId?: string;
  readonly causationId: string;
  /** Ids a receiver can use to link back (approvalId, proposalId, anomalyId, executionId…). */
  readonly refs: Readonly<Record<string, string>>;
}

export type NoticeSeverity = 'info' | 'warning' | 'critical';

export type SagaOutput = Send | Schedule | Cancel | Notify;
