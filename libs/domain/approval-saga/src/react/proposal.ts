import { approvalSchedule } from '@vigil/domain/approval';
import {
  DryRunOutcome,
  ProposalModified,
  ProposalRiskContext,
  ProposalSuperseded,
  ProposalWithdrawn,
  RemediationAction,
  RemediationProposed,
  RiskAssessed,
  actionHashInput,
} from '@vigil/domain/remediation';
import { ProposalFacts, actionAt } from '../facts';
import { sagaIds } from '../ids';
import { SagaOutput } from '../outputs';
import { Reaction } from '../reaction';
import { approvalTimeoutTimer } from '../timers';

/** RemediationProposed → AssessRisk of version 1, weighing the proposal's risk context and carrying its dry run. */
export function onRemediationProposed(event: RemediationProposed, r: Reaction): SagaOutput[] {
  const { proposalId, version, action, riskContext, dryRun } = event.data;
  return [assess(r, { proposalId, version, action, riskContext, dryRun })];
}

/**
 * ProposalModified → AssessRisk of the new version (it has no tier until assessed again), with the proposal's risk
 * context; the dry run of an earlier version is not carried, since it ran with other params.
 */
export function onProposalModified(event: ProposalModified, r: Reaction): SagaOutput[] {
  const proposal = r.context.facts.proposal;
  const action = proposal && actionAt(proposal, event.data.newVersion);
  if (!proposal || proposal.status !== 'open' || !action) return [];
  return [assess(r, { proposalId: event.data.proposalId, version: event.data.newVersion, action, riskContext: proposal.riskContext })];
}

interface VersionToAssess {
  readonly proposalId: string;
  readonly version: number;
  readonly action: RemediationAction;
  readonly riskContext?: ProposalRiskContext;
  readonly dryRun?: DryRunOutcome;
}

function assess(r: Reaction, { proposalId, version, action, riskContext, dryRun }: VersionToAssess): SagaOutput {
  const { tier, factors, blastRadius } = r.options.assess(action, r.context.policy, { now: r.trigger.at, ...(riskContext ? { riskContext } : {}) });
  return r.send('proposal', proposalId, {
    type: 'AssessRisk',
    data: { proposalId, version, tier, factors, ...(blastRadius ? { blastRadius } : {}), ...(dryRun ? { dryRun } : {}) },
  });
}

/**
 * RiskAssessed of the current version: an auto-approved tier → RequestExecution without an approval; any other
 * tier → RequestApproval (the tier's approvers, level 0's deadline, the hash of this exact version's action) +
 * StartEscalation (the tier's levels) + the level-0 deadline timer. The approval of an earlier version, if any,
 * is cancelled as superseded.
 */
export function onRiskAssessed(event: RiskAssessed, r: Reaction): SagaOutput[] {
  const { proposalId, version, tier } = event.data;
  const { policy, deriveId, hash } = r.context;
  const proposal = r.context.facts.proposal;
  const action = proposal && actionAt(proposal, version);
  if (!proposal || proposal.status !== 'open' || proposal.currentVersion !== version || !action) return [];
  const actionHash = hash(actionHashInput(action, version));
  const outputs: SagaOutput[] = [...cancelEarlierApproval(r, proposal, version)];
  const tierPolicy = policy.tiers[tier];
  if (tierPolicy.autoApprove) {
    const executionId = sagaIds.autoApprovedExecution(deriveId, r.trigger.eventId);
    outputs.push(
      r.send('execution', executionId, {
        type: 'RequestExecution',
        data: { executionId, proposalId, approvalId: null, action, actionHash, idempotencyKey: executionId, maxAttempts: r.options.maxExecutionAttempts },
      }),
    );
    return outputs;
  }
  const approvalId = sagaIds.approval(deriveId, r.trigger.eventId);
  const escalationId = sagaIds.escalation(deriveId, approvalId);
  const [level0] = approvalSchedule(tierPolicy, r.trigger.at);
  outputs.push(
    r.send('approval', approvalId, {
      type: 'RequestApproval',
      data: { approvalId, proposalId, proposalVersion: version, actionHash, tier, requiredRoles: tierPolicy.approvers, proposer: proposal.proposer, deadline: level0.deadline },
    }),
    r.send('escalation', escalationId, { type: 'StartEscalation', data: { escalationId, approvalId, levels: tierPolicy.escalation } }),
    approvalTimeoutTimer(approvalId, 0, level0.deadline, { causationId: r.trigger.eventId, correlationId: r.trigger.correlationId }),
  );
  return outputs;
}

/** ProposalWithdrawn / ProposalSuperseded → the pending approval of the current version is cancelled. */
export function onProposalClosed(event: ProposalWithdrawn | ProposalSuperseded, r: Reaction): SagaOutput[] {
  const proposal = r.context.facts.proposal;
  const assessment = proposal && humanAssessmentBefore(r, proposal, proposal.currentVersion + 1);
  if (!assessment || assessment.version !== proposal.currentVersion) return [];
  const approvalId = sagaIds.approval(r.context.deriveId, assessment.eventId);
  const note = event.type === 'ProposalWithdrawn' ? `withdrawn by ${event.data.by}: ${event.data.reason}` : `superseded by proposal ${event.data.supersededBy}`;
  const reason = event.type === 'ProposalWithdrawn' ? 'withdrawn' : 'superseded';
  return [r.send('approval', approvalId, { type: 'CancelApproval', data: { approvalId, reason, note } })];
}

function cancelEarlierApproval(r: Reaction, proposal: ProposalFacts, version: number): SagaOutput[] {
  const earlier = humanAssessmentBefore(r, proposal, version);
  if (!earlier) return [];
  const approvalId = sagaIds.approval(r.context.deriveId, earlier.eventId);
  return [
    r.send(
      'approval',
      approvalId,
      { type: 'CancelApproval', data: { approvalId, reason: 'superseded', note: `version ${version} replaces version ${earlier.version}` } },
      'CancelApproval:superseded',
    ),
  ];
}

/** The latest assessment of a version before `beforeVersion`, when its tier needed an approval. */
function humanAssessmentBefore(r: Reaction, proposal: ProposalFacts, beforeVersion: number) {
  const latest = [...proposal.assessments].reverse().find((a) => a.version < beforeVersion);
  return latest && !r.context.policy.tiers[latest.tier].autoApprove ? latest : undefined;
}
