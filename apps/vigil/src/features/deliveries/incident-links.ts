import { streamIdOf } from '@vigil/application';
import { AnomalyEvent, AnomalyState, anomalyDecider, Observation } from '@vigil/domain/anomaly';
import { ApprovalState } from '@vigil/domain/approval';
import { approvalFactsOf, executionFactsOf, ProposalFacts, proposalFactsOf, sagaIds, SagaFacts } from '@vigil/domain/approval-saga';
import { InvestigationEvent, InvestigationState, investigationDecider } from '@vigil/domain/investigation';
import { EventStore, RecordedEvent } from '@vigil/event-store';
import { uuidFromSeed } from '@vigil/saga-host';

export interface AnomalyFacts {
  readonly anomalyId: string;
  readonly state: Exclude<AnomalyState, { status: 'Initial' }>;
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  readonly source?: string;
  readonly first: Observation;
  readonly latest: Observation;
  /** The AnomalyDetected event: the saga names the anomaly's investigation after it. */
  readonly detectedEventId: string;
}

/**
 * How the aggregates of one incident point at each other, read from their streams (not the read models, which
 * may trail the log): approval → proposal → anomaly → investigation, execution → proposal. The incident is the
 * anomaly: PagerDuty's dedup key and the Jira ticket hang off it.
 */
export class IncidentLinks {
  constructor(private readonly store: EventStore) {}

  async approval(approvalId: string): Promise<Exclude<ApprovalState, { status: 'Initial' }> | undefined> {
    return approvalFactsOf(await this.read('approval', approvalId));
  }

  async proposal(proposalId: string): Promise<ProposalFacts | undefined> {
    return proposalFactsOf(await this.read('proposal', proposalId));
  }

  async proposalEvents(proposalId: string): Promise<RecordedEvent[]> {
    return this.read('proposal', proposalId);
  }

  async execution(executionId: string): Promise<SagaFacts['execution']> {
    return executionFactsOf(await this.read('execution', executionId));
  }

  async anomaly(anomalyId: string): Promise<AnomalyFacts | undefined> {
    const events = await this.read('anomaly', anomalyId);
    const state = events.reduce((s, e) => anomalyDecider.evolve(s, { type: e.type, data: e.data } as AnomalyEvent), anomalyDecider.initialState());
    const detected = events.find((e) => e.type === 'AnomalyDetected');
    if (state.status === 'Initial' || !detected) return undefined;
    const observations = events.flatMap((e) => (e.type === 'AnomalyDetected' || e.type === 'AnomalyUpdated' ? [e.data as Observation] : []));
    const data = detected.data as { service: string; operation: string; signal: string; source?: string };
    return {
      anomalyId,
      state,
      service: data.service,
      operation: data.operation,
      signal: data.signal,
      ...(data.source ? { source: data.source } : {}),
      first: observations[0],
      latest: observations[observations.length - 1],
      detectedEventId: detected.eventId,
    };
  }

  async investigation(investigationId: string): Promise<{ state: InvestigationState; events: RecordedEvent[] }> {
    const events = await this.read('investigation', investigationId);
    const state = events.reduce((s, e) => investigationDecider.evolve(s, { type: e.type, data: e.data } as InvestigationEvent), investigationDecider.initialState());
    return { state, events };
  }

  /** The investigation the saga opened for an anomaly (named after its AnomalyDetected event). */
  async investigationOfAnomaly(anomalyId: string): Promise<string | undefined> {
    const detected = (await this.read('anomaly', anomalyId)).find((e) => e.type === 'AnomalyDetected');
    return detected ? sagaIds.investigation(uuidFromSeed, detected.eventId) : undefined;
  }

  /** The proposal's own investigation, or the one of its anomaly. */
  async investigationOfProposal(proposal: ProposalFacts | undefined): Promise<string | undefined> {
    if (!proposal) return undefined;
    if (proposal.investigationId) return proposal.investigationId;
    return proposal.anomalyId ? this.investigationOfAnomaly(proposal.anomalyId) : undefined;
  }

  async proposalOfApproval(approvalId: string): Promise<ProposalFacts | undefined> {
    const approval = await this.approval(approvalId);
    return approval ? this.proposal(approval.approval.proposalId) : undefined;
  }

  async proposalOfExecution(executionId: string): Promise<{ proposal?: ProposalFacts; execution: SagaFacts['execution'] }> {
    const execution = await this.execution(executionId);
    return { execution, ...(execution ? { proposal: await this.proposal(execution.execution.proposalId) } : {}) };
  }

  private read(aggregate: Parameters<typeof streamIdOf>[0], id: string): Promise<RecordedEvent[]> {
    return this.store.readStream(streamIdOf(aggregate, id));
  }
}
