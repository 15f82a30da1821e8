import { CommandBus } from '@vigil/application';
import { FindingRecorded, InvestigationConcluded, RankedHypothesis } from '@vigil/domain/investigation';
import { RemediationProposalState } from '@vigil/domain/remediation';
import { investigatorProposalId } from '../run-investigation/run-investigation.usecase';

export interface InvestigationView {
  readonly investigationId: string;
  readonly status: 'open' | 'concluded';
  readonly anomalyIds: readonly string[];
  /** In the order recorded, each with its evidence. */
  readonly findings: readonly Omit<FindingRecorded['data'], 'investigationId'>[];
  /** Ranked, best first; empty while open. */
  readonly hypotheses: readonly RankedHypothesis[];
  readonly concludedAt?: string;
  readonly jiraKey?: string;
  /** The investigator's proposal, when it made one: its action, risk context, dry run and tier. */
  readonly proposal?: Exclude<RemediationProposalState, { status: 'Initial' }>;
}

/** One investigation as its stream tells it (findings with their evidence, the conclusion) and the investigator's proposal. */
export class GetInvestigationQuery {
  constructor(private readonly bus: CommandBus) {}

  async execute(investigationId: string): Promise<InvestigationView | undefined> {
    const { state, events } = await this.bus.load('investigation', investigationId);
    if (state.status === 'Initial') return undefined;
    const findings = events
      .filter((event) => event.type === 'FindingRecorded')
      .map((event) => {
        const { investigationId: _id, ...finding } = event.data as FindingRecorded['data'];
        return finding;
      });
    const concluded = events.find((event) => event.type === 'InvestigationConcluded')?.data as InvestigationConcluded['data'] | undefined;
    const proposal = (await this.bus.load('proposal', investigatorProposalId(investigationId))).state;
    return {
      investigationId,
      status: state.status === 'Concluded' ? 'concluded' : 'open',
      anomalyIds: state.investigation.anomalyIds,
      findings,
      hypotheses: concluded?.hypotheses ?? [],
      ...(concluded ? { concludedAt: concluded.at } : {}),
      ...(state.investigation.jiraKey ? { jiraKey: state.investigation.jiraKey } : {}),
      ...(proposal.status !== 'Initial' ? { proposal } : {}),
    };
  }
}
