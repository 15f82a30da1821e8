import { CommandBus, User } from '@vigil/application';
import { refusalOf } from '@vigil/domain/approval';
import { DomainError, JsonObject } from '@vigil/domain/shared';

export interface CastVoteInput {
  readonly approvalId: string;
  readonly voter: User;
  readonly decision: 'approve' | 'reject';
  readonly reason?: string;
  readonly modifications?: JsonObject;
  /** What the voter saw; omitted → the approval's current version and hash (the voter approves what is current). */
  readonly proposalVersion?: number;
  readonly actionHash?: string;
  readonly idempotencyKey?: string;
  readonly correlationId: string;
  readonly now: string;
}

/**
 * Casts a vote through the Approval decider. A refused vote (self-approval, missing role, expired, stale version…)
 * is appended as `VoteRefused` first, so the attempt is in the audit log, and then reported as its coded error.
 */
export class CastVoteUseCase {
  constructor(private readonly bus: CommandBus) {}

  async execute(input: CastVoteInput) {
    const { state } = await this.bus.load('approval', input.approvalId);
    if (state.status === 'Initial') throw new DomainError('APPROVAL.NOT_FOUND', 'not_found', `No approval ${input.approvalId}`);
    const result = await this.bus.send('approval', input.approvalId, {
      type: 'CastVote',
      data: {
        approvalId: input.approvalId,
        roles: input.voter.roles,
        decision: input.decision,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        ...(input.modifications !== undefined ? { modifications: input.modifications } : {}),
        proposalVersion: input.proposalVersion ?? state.approval.proposalVersion,
        actionHash: input.actionHash ?? state.approval.actionHash,
      },
      metadata: { now: input.now, actor: input.voter.id, correlationId: input.correlationId, idempotencyKey: input.idempotencyKey },
    });
    const refusal = refusalOf(result.events);
    if (refusal) throw refusal;
    return { approvalId: input.approvalId, status: result.state.status.toLowerCase(), events: result.events.map((e) => e.type), replayed: result.replayed };
  }
}
