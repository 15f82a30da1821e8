import { CommandMetadata, JsonObject, deciderSpecification } from '@vigil/domain/shared';
import { CastVote } from './commands';
import { approvalDecider } from './decider';
import { ApprovalRequested, VoteCast, VoteDecision } from './events';

export const spec = deciderSpecification(approvalDecider);
export const T0 = '2025-03-01T10:00:00.000Z';
export const DURING = '2025-03-01T10:20:00.000Z';
export const DEADLINE = '2025-03-01T11:00:00.000Z';
export const AFTER = '2025-03-01T11:00:00.001Z';
export const meta = (actor: string, now = DURING): CommandMetadata => ({ actor, now });

/** A high-tier approval: an SRE and a manager, two distinct people, for version 2 of an AI's proposal. */
export const highRequested: ApprovalRequested = {
  type: 'ApprovalRequested',
  data: {
    approvalId: 'appr-1',
    proposalId: 'prop-1',
    proposalVersion: 2,
    actionHash: 'sha256:h2',
    tier: 'high',
    requiredRoles: [['sre'], ['manager']],
    proposer: 'ai:investigator',
    deadline: DEADLINE,
    requestedBy: 'system:saga',
    at: T0,
  },
};

export const lowRequested: ApprovalRequested = {
  type: 'ApprovalRequested',
  data: { ...highRequested.data, tier: 'low', requiredRoles: [['responder', 'team-lead', 'sre', 'manager', 'vp-eng']], proposer: 'alice' },
};

export interface VoteOptions {
  decision?: VoteDecision;
  reason?: string;
  modifications?: JsonObject;
  proposalVersion?: number;
  actionHash?: string;
  now?: string;
}

export const vote = (by: string, roles: string[], options: VoteOptions = {}): CastVote => ({
  type: 'CastVote',
  data: {
    approvalId: 'appr-1',
    roles,
    decision: options.decision ?? 'approve',
    reason: options.reason,
    modifications: options.modifications,
    proposalVersion: options.proposalVersion ?? 2,
    actionHash: options.actionHash ?? 'sha256:h2',
  },
  metadata: meta(by, options.now ?? DURING),
});

export const voteCast = (by: string, roles: string[], options: VoteOptions = {}): VoteCast => ({
  type: 'VoteCast',
  data: {
    approvalId: 'appr-1',
    by,
    roles,
    decision: options.decision ?? 'approve',
    reason: options.reason,
    modifications: options.modifications,
    proposalVersion: options.proposalVersion ?? 2,
    actionHash: options.actionHash ?? 'sha256:h2',
    at: options.now ?? DURING,
  },
});
