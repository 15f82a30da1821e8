import { randomUUID } from 'node:crypto';
import { CommandBus } from '@vigil/application';
import { ApprovalPolicy, tierForAction } from '@vigil/domain/approval';
import { RemediationAction, RiskTier } from '@vigil/domain/remediation';
import { DomainError } from '@vigil/domain/shared';

export interface ProposeRemediationInput {
  readonly action: RemediationAction;
  readonly rationale: string;
  readonly anomalyId?: string;
  readonly investigationId?: string;
  readonly proposer: string;
  readonly correlationId: string;
  readonly now: string;
}

/** Where the saga took the proposal: its approval, or (info tier) its execution. */
export type ProposalOutcomeLookup = (proposalId: string, version: number) => Promise<{ approvalId?: string; executionId?: string }>;

export interface ProposalCreated {
  readonly id: string;
  readonly version: number;
  readonly tier: RiskTier;
  readonly status: 'awaiting-approval' | 'executing' | 'assessing';
  readonly approvalId?: string;
  readonly executionId?: string;
}

/**
 * Records the proposal; the saga assesses it and requests the approval (or, for info, the execution). The answer
 * waits briefly for that so the caller gets the approval id in one round trip; if the saga is slower the
 * proposal is still accepted (`status: 'assessing'`) and the ids appear in the queue shortly after.
 */
export class ProposeRemediationUseCase {
  constructor(
    private readonly bus: CommandBus,
    private readonly policy: ApprovalPolicy,
    private readonly outcomeOf: ProposalOutcomeLookup,
    private readonly waitMs = 3000,
  ) {}

  async execute(input: ProposeRemediationInput): Promise<ProposalCreated> {
    if (input.anomalyId) {
      const { state } = await this.bus.load('anomaly', input.anomalyId);
      if (state.status === 'Initial') throw new DomainError('PROPOSAL.UNKNOWN_ANOMALY', 'invalid', `No anomaly ${input.anomalyId}`);
    }
    const proposalId = randomUUID();
    await this.bus.send('proposal', proposalId, {
      type: 'ProposeRemediation',
      data: {
        proposalId,
        action: input.action,
        rationale: input.rationale,
        ...(input.anomalyId ? { anomalyId: input.anomalyId } : {}),
        ...(input.investigationId ? { investigationId: input.investigationId } : {}),
      },
      metadata: { now: input.now, actor: input.proposer, correlationId: input.correlationId },
    });
    const expectedTier = tierForAction(this.policy, input.action.kind);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const { state } = await this.bus.load('proposal', proposalId);
      const version = state.status === 'Initial' ? 1 : state.proposal.version;
      const tier = state.status === 'Assessed' ? state.assessment.tier : expectedTier;
      const outcome = await this.outcomeOf(proposalId, version);
      if (outcome.approvalId) return { id: proposalId, version, tier, status: 'awaiting-approval', approvalId: outcome.approvalId };
      if (outcome.executionId) return { id: proposalId, version, tier, status: 'executing', executionId: outcome.executionId };
      if (Date.now() > deadline) return { id: proposalId, version, tier, status: 'assessing' };
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }
}
