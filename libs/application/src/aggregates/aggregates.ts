import { anomalyDecider } from '@vigil/domain/anomaly';
import { changeDecider } from '@vigil/domain/change';
import { approvalDecider } from '@vigil/domain/approval';
import { escalationDecider } from '@vigil/domain/escalation';
import { executionDecider } from '@vigil/domain/execution';
import { investigationDecider } from '@vigil/domain/investigation';
import { remediationProposalDecider } from '@vigil/domain/remediation';

/** Every event-sourced aggregate, by the name used in stream ids (`approval-<id>`) and in saga `Send` outputs. */
export const AGGREGATES = {
  anomaly: anomalyDecider,
  investigation: investigationDecider,
  proposal: remediationProposalDecider,
  approval: approvalDecider,
  escalation: escalationDecider,
  execution: executionDecider,
  change: changeDecider,
} as const;

export type AggregateName = keyof typeof AGGREGATES;

/** The command union each aggregate's decider accepts. */
export type CommandOf<A extends AggregateName> = Parameters<(typeof AGGREGATES)[A]['decide']>[0];
export type EventOf<A extends AggregateName> = Parameters<(typeof AGGREGATES)[A]['evolve']>[1];
export type StateOf<A extends AggregateName> = ReturnType<(typeof AGGREGATES)[A]['initialState']>;

export function streamIdOf(aggregate: AggregateName, id: string): string {
  return `${aggregate}-${id}`;
}

export function isAggregateName(name: string): name is AggregateName {
  return Object.prototype.hasOwnProperty.call(AGGREGATES, name);
}

/** `approval-1234` → { aggregate: 'approval', id: '1234' } (ids may contain dashes). */
export function parseStreamId(streamId: string): { aggregate: AggregateName; id: string } | undefined {
  const dash = streamId.indexOf('-');
  if (dash <= 0) return undefined;
  const aggregate = streamId.slice(0, dash);
  return isAggregateName(aggregate) ? { aggregate, id: streamId.slice(dash + 1) } : undefined;
}
