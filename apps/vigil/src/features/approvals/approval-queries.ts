import { DataSource } from 'typeorm';
import { CommandBus } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import { ApprovalQueueEntry } from '@vigil/read-models';

export type ApprovalView = ReturnType<typeof toView>;

function toView(row: ApprovalQueueEntry) {
  return {
    id: row.id,
    proposalId: row.proposalId,
    proposalVersion: row.proposalVersion,
    tier: row.tier,
    requiredRoles: row.requiredRoles,
    votes: row.votes,
    refusedAttempts: row.refusedAttempts,
    deadline: row.deadline?.toISOString() ?? null,
    escalationLevel: row.escalationLevel,
    actionHash: row.actionHash,
    action: row.action,
    status: row.status,
    proposer: row.proposer,
    anomalyId: row.anomalyId,
    investigationId: row.investigationId,
    rationale: row.rationale,
    dryRun: row.dryRun,
    requestedAt: row.requestedAt?.toISOString() ?? null,
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

/** Reads for the approval queue; the read model may trail the log by a moment, so `get` falls back to the stream. */
export class ApprovalQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: CommandBus,
  ) {}

  async list(status?: string) {
    const rows = await this.dataSource.getRepository(ApprovalQueueEntry).find({
      where: status ? { status: status as ApprovalQueueEntry['status'] } : {},
      order: { deadline: 'ASC', requestedAt: 'ASC' },
      take: 500,
    });
    return { items: rows.map(toView) };
  }

  async get(id: string) {
    const row = await this.dataSource.getRepository(ApprovalQueueEntry).findOne({ where: { id } });
    if (row) return toView(row);
    const { state } = await this.bus.load('approval', id);
    if (state.status === 'Initial') throw new DomainError('APPROVAL.NOT_FOUND', 'not_found', `No approval ${id}`);
    return {
      id,
      proposalId: state.approval.proposalId,
      proposalVersion: state.approval.proposalVersion,
      tier: state.approval.tier,
      requiredRoles: state.approval.requiredRoles,
      votes: state.votes,
      deadline: state.status === 'Pending' ? state.deadline : null,
      escalationLevel: state.status === 'Pending' ? state.level : null,
      actionHash: state.approval.actionHash,
      action: null,
      status: state.status.toLowerCase(),
      proposer: state.approval.proposer,
    };
  }
}
