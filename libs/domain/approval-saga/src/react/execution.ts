import { CompensationProposed, ExecutionFailed, ExecutionRefused, ExecutionSucceeded, ExecutionVerified } from '@vigil/domain/execution';
import { addMilliseconds } from '@vigil/domain/shared';
import { SagaOutput } from '../outputs';
import { Reaction, describeAction } from '../reaction';
import { verifyExecutionTimer } from '../timers';

/** ExecutionSucceeded → re-check the anomaly's signal after `verifyDelayMs` (nothing to check without an anomaly). */
export function onExecutionSucceeded(event: ExecutionSucceeded, r: Reaction): SagaOutput[] {
  const anomalyId = r.context.facts.proposal?.anomalyId;
  if (!anomalyId) return [];
  const due = addMilliseconds(r.trigger.at, r.options.verifyDelayMs);
  return [verifyExecutionTimer(event.data.executionId, anomalyId, due, { causationId: r.trigger.eventId, correlationId: r.trigger.correlationId })];
}

/** A final failure (no retry will follow) is told; a failure that will be retried is not news yet. */
export function onExecutionFailed(event: ExecutionFailed, r: Reaction): SagaOutput[] {
  const { executionId, attempt, error, willRetry } = event.data;
  if (willRetry) return [];
  return r.notify(
    r.options.operationsNotice,
    { subject: `Execution ${executionId} failed`, message: `${what(r)} failed on attempt ${attempt} and will not be retried: ${error}`, severity: 'critical', refs: refs(r, executionId) },
    'failed',
  );
}

export function onExecutionRefused(event: ExecutionRefused, r: Reaction): SagaOutput[] {
  const { executionId, why, detail } = event.data;
  return r.notify(
    r.options.operationsNotice,
    { subject: `Execution ${executionId} refused`, message: `${what(r)} did not run: ${why}${detail ? ` (${detail})` : ''}`, severity: 'warning', refs: refs(r, executionId) },
    'refused',
  );
}

/** ExecutionVerified → recovered: ResolveAnomaly; not recovered: ProposeCompensation (which needs its own approval). */
export function onExecutionVerified(event: ExecutionVerified, r: Reaction): SagaOutput[] {
  const { executionId, recovered } = event.data;
  const anomalyId = r.context.facts.proposal?.anomalyId;
  if (recovered) {
    return anomalyId ? [r.send('anomaly', anomalyId, { type: 'ResolveAnomaly', data: { anomalyId, how: 'remediated', note: `execution ${executionId} verified` } })] : [];
  }
  return [
    r.send('execution', executionId, { type: 'ProposeCompensation', data: { executionId, reason: 'the signal did not recover after the change' } }),
    ...r.notify(
      r.options.operationsNotice,
      { subject: `Execution ${executionId} did not help`, message: `${what(r)} ran but the signal did not recover; a compensation is proposed`, severity: 'warning', refs: refs(r, executionId) },
      'not-recovered',
    ),
  ];
}

/**
 * CompensationProposed → the recorded inverse (scale back, roll forward) becomes a proposal of its own, for the same
 * anomaly: it is assessed and approved like any other change, never run on the saga's say-so.
 */
export function onCompensationProposed(event: CompensationProposed, r: Reaction): SagaOutput[] {
  const { executionId, inverse, reason } = event.data;
  const proposalId = r.context.deriveId(`compensation:${executionId}`);
  const anomalyId = r.context.facts.proposal?.anomalyId;
  const investigationId = r.context.facts.proposal?.investigationId;
  return [
    r.send('proposal', proposalId, {
      type: 'ProposeRemediation',
      data: {
        proposalId,
        action: inverse,
        rationale: `Compensation for execution ${executionId} (${what(r)}): ${reason}`,
        ...(anomalyId ? { anomalyId } : {}),
        ...(investigationId ? { investigationId } : {}),
      },
    }),
  ];
}

const what = (r: Reaction): string => {
  const execution = r.context.facts.execution?.execution;
  return execution ? describeAction(execution.action) : 'the action';
};

const refs = (r: Reaction, executionId: string): Record<string, string> => {
  const { proposal, execution } = r.context.facts;
  return {
    executionId,
    ...(execution ? { proposalId: execution.execution.proposalId } : {}),
    ...(execution?.execution.approvalId ? { approvalId: execution.execution.approvalId } : {}),
    ...(proposal?.anomalyId ? { anomalyId: proposal.anomalyId } : {}),
  };
};
