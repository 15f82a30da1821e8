import { AggregateName, streamIdOf } from '@vigil/application';
import { SagaEvent, SagaFacts, approvalFactsOf, executionFactsOf, factsNeeded, proposalFactsOf, proposalIdFrom } from '@vigil/domain/approval-saga';
import { EventStore, GlobalPosition, RecordedEvent, comparePositions } from '@vigil/event-store';

/**
 * Reads what the saga needs to know for `event`: the proposal, approval and execution streams it names, each
 * folded up to the event's own position in the global order — so running the saga on an old event again sees
 * exactly what it saw the first time.
 */
export async function loadSagaFacts(store: EventStore, event: SagaEvent, position: GlobalPosition): Promise<SagaFacts> {
  const needs = factsNeeded(event);
  const upTo = async (aggregate: AggregateName, id: string): Promise<RecordedEvent[]> =>
    (await store.readStream(streamIdOf(aggregate, id))).filter((e) => comparePositions(e.position, position) <= 0);
  const [approval, execution] = await Promise.all([
    needs.approvalId ? upTo('approval', needs.approvalId).then(approvalFactsOf) : undefined,
    needs.executionId ? upTo('execution', needs.executionId).then(executionFactsOf) : undefined,
  ]);
  const proposalId = needs.proposalId ?? (needs.proposal ? proposalIdFrom({ approval, execution }) : undefined);
  const proposal = proposalId ? proposalFactsOf(await upTo('proposal', proposalId)) : undefined;
  return { ...(proposal ? { proposal } : {}), ...(approval ? { approval } : {}), ...(execution ? { execution } : {}) };
}
