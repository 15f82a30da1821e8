import { parseStreamId } from '@vigil/application';
import { ApprovalEvent, ApprovalState, approvalDecider } from '@vigil/domain/approval';
import { ExecutionEvent, ExecutionState, executionDecider } from '@vigil/domain/execution';
import { EventStore, GlobalPosition, START } from '@vigil/event-store';

/**
 * A pending approval's current deadline (the shape of the approval-queue read model's `pendingApprovalDeadlines`,
 * so either can feed the reconciler).
 */
export interface PendingApprovalDeadline {
  readonly approvalId: string;
  readonly deadline: string;
  /** The escalation level the deadline belongs to. */
  readonly level: number;
  /** An ApprovalTimedOut is already recorded for this deadline: the saga escalates or expires it, no timer is due. */
  readonly timedOut: boolean;
}

export interface PendingApprovalsSource {
  pendingApprovalDeadlines(): Promise<readonly PendingApprovalDeadline[]>;
}

/** An execution that succeeded and has not been verified yet. */
export interface PendingVerification {
  readonly executionId: string;
  readonly proposalId: string;
  readonly succeededAt: string;
}

export interface PendingVerificationsSource {
  pendingVerifications(): Promise<readonly PendingVerification[]>;
}

/**
 * Pending approvals and unverified executions folded from the event log itself, incrementally: the first call reads
 * the whole log, later calls only what is new. Closed approvals and finished executions are dropped from memory.
 * Works with any EventStore adapter; the approval-queue read model can replace the approval half.
 */
export class EventLogTimerIndex implements PendingApprovalsSource, PendingVerificationsSource {
  private position: GlobalPosition = START;
  private readonly approvals = new Map<string, ApprovalState>();
  private readonly closedApprovals = new Set<string>();
  private readonly executions = new Map<string, { state: ExecutionState; succeededAt?: string }>();
  private readonly finishedExecutions = new Set<string>();
  private refreshing?: Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly batchSize = 1000,
  ) {}

  async pendingApprovalDeadlines(): Promise<PendingApprovalDeadline[]> {
    await this.refresh();
    const pending: PendingApprovalDeadline[] = [];
    for (const [approvalId, state] of this.approvals) {
      if (state.status !== 'Pending') continue;
      pending.push({ approvalId, deadline: state.deadline, level: state.level, timedOut: state.timedOutDeadline === state.deadline });
    }
    return pending.sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0));
  }

  async pendingVerifications(): Promise<PendingVerification[]> {
    await this.refresh();
    const pending: PendingVerification[] = [];
    for (const [executionId, { state, succeededAt }] of this.executions) {
      if (state.status === 'Succeeded' && succeededAt) pending.push({ executionId, proposalId: state.execution.proposalId, succeededAt });
    }
    return pending;
  }

  /** Reads what was appended since the last call (one reader at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNew().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const events = await this.store.readAll(this.position, this.batchSize);
      for (const event of events) {
        const stream = parseStreamId(event.streamId);
        if (stream?.aggregate === 'approval') this.applyApproval(stream.id, { type: event.type, data: event.data } as ApprovalEvent);
        if (stream?.aggregate === 'execution') this.applyExecution(stream.id, { type: event.type, data: event.data } as ExecutionEvent);
        this.position = event.position;
      }
      if (events.length < this.batchSize) return;
    }
  }

  private applyApproval(approvalId: string, event: ApprovalEvent): void {
    if (this.closedApprovals.has(approvalId)) return;
    const state = approvalDecider.evolve(this.approvals.get(approvalId) ?? approvalDecider.initialState(), event);
    if (state.status === 'Initial' || state.status === 'Pending') {
      this.approvals.set(approvalId, state);
      return;
    }
    this.approvals.delete(approvalId);
    this.closedApprovals.add(approvalId);
  }

  private applyExecution(executionId: string, event: ExecutionEvent): void {
    if (this.finishedExecutions.has(executionId)) return;
    const entry = this.executions.get(executionId);
    const state = executionDecider.evolve(entry?.state ?? executionDecider.initialState(), event);
    const succeededAt = event.type === 'ExecutionSucceeded' ? event.data.at : entry?.succeededAt;
    if (['Initial', 'Requested', 'Running', 'AwaitingRetry', 'Succeeded'].includes(state.status)) {
      this.executions.set(executionId, { state, succeededAt });
      return;
    }
    this.executions.delete(executionId);
    this.finishedExecutions.add(executionId);
  }
}
