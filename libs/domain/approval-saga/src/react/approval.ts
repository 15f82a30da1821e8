import { ApprovalCancelled, ApprovalExpired, ApprovalGranted, ApprovalRejected, ApprovalTimedOut, approvalSchedule } from '@vigil/domain/approval';
import { EscalationStopReason } from '@vigil/domain/escalation';
import { RiskTier, actionHashInput } from '@vigil/domain/remediation';
import { addMilliseconds, isBefore } from '@vigil/domain/shared';
import { actionAt } from '../facts';
import { approvalTimeoutTimerId, sagaIds } from '../ids';
import { Cancel, SagaOutput } from '../outputs';
import { Reaction } from '../reaction';
import { approvalTimeoutTimer } from '../timers';

/**
 * The deadline of `level` passed with nobody deciding. With a level left: AdvanceEscalation to it, ExtendDeadline
 * to its deadline, and its timer. After the last level: ExpireApproval and AdvanceEscalation past the last level
 * (→ EscalationExhausted). The schedule is the tier's, from the request time.
 */
export function onApprovalTimedOut(event: ApprovalTimedOut, r: Reaction): SagaOutput[] {
  const { approvalId, level } = event.data;
  const approval = r.context.facts.approval;
  if (!approval || approval.status !== 'Pending') return [];
  const tierPolicy = r.context.policy.tiers[approval.approval.tier];
  if (tierPolicy.autoApprove) return [];
  const escalationId = sagaIds.escalation(r.context.deriveId, approvalId);
  const next = approvalSchedule(tierPolicy, approval.approval.requestedAt)[level + 1];
  if (!next) {
    return [
      r.send('approval', approvalId, { type: 'ExpireApproval', data: { approvalId } }),
      r.send('escalation', escalationId, { type: 'AdvanceEscalation', data: { escalationId, toLevel: level + 1 } }),
    ];
  }
  // Timed out so late that the next level's deadline is gone too: that level still gets a grace period.
  const newDeadline = isBefore(r.trigger.at, next.deadline) ? next.deadline : addMilliseconds(r.trigger.at, r.options.lateGraceMs);
  return [
    r.send('escalation', escalationId, { type: 'AdvanceEscalation', data: { escalationId, toLevel: next.level } }),
    r.send('approval', approvalId, { type: 'ExtendDeadline', data: { approvalId, newDeadline, level: next.level } }),
    approvalTimeoutTimer(approvalId, next.level, newDeadline, { causationId: r.trigger.eventId, correlationId: r.trigger.correlationId }),
  ];
}

/**
 * ApprovalGranted → the deadline timers go, the escalation stops, and the execution of exactly the approved
 * version is requested — once per approval: its id and key derive from the approval id. A grant whose hash does
 * not match the recorded action of that version requests nothing and says so.
 */
export function onApprovalGranted(event: ApprovalGranted, r: Reaction): SagaOutput[] {
  const { approvalId, proposalId, proposalVersion, actionHash } = event.data;
  const { proposal } = r.context.facts;
  const outputs = closeApproval(r, approvalId, 'granted');
  const action = proposal && actionAt(proposal, proposalVersion);
  if (!action || r.context.hash(actionHashInput(action, proposalVersion)) !== actionHash) {
    return [
      ...outputs,
      ...r.notify(r.options.operationsNotice, {
        subject: `Approval ${approvalId} granted, nothing executed`,
        message: `the approved action hash ${actionHash} does not match version ${proposalVersion} of proposal ${proposalId} as recorded`,
        severity: 'critical',
        refs: { approvalId, proposalId },
      }, 'hash-mismatch'),
    ];
  }
  const executionId = sagaIds.approvedExecution(r.context.deriveId, approvalId);
  return [
    ...outputs,
    r.send(
      'execution',
      executionId,
      { type: 'RequestExecution', data: { executionId, proposalId, approvalId, action, actionHash, idempotencyKey: executionId, maxAttempts: r.options.maxExecutionAttempts } },
      `RequestExecution:${approvalId}`,
    ),
  ];
}

/** ApprovalRejected → timers and escalation stop; the reason goes back to the investigation the proposal came from. */
export function onApprovalRejected(event: ApprovalRejected, r: Reaction): SagaOutput[] {
  const { approvalId, proposalId, by, reason } = event.data;
  const investigationId = r.context.facts.proposal?.investigationId;
  return [
    ...closeApproval(r, approvalId, 'rejected'),
    ...(investigationId
      ? [r.send('investigation', investigationId, { type: 'RecordRejectionFeedback', data: { investigationId, proposalId, approvalId, rejectedBy: by, reason } })]
      : []),
  ];
}

/**
 * ApprovalCancelled → timers and escalation stop. Cancelled by an approve-with-modifications: ModifyProposal on
 * the approved version, whose new version is assessed and approved afresh — no vote is carried over.
 */
export function onApprovalCancelled(event: ApprovalCancelled, r: Reaction): SagaOutput[] {
  const { approvalId, proposalId, reason, modifications } = event.data;
  const outputs = closeApproval(r, approvalId, 'cancelled');
  const approval = r.context.facts.approval;
  if (reason !== 'modified' || !modifications || Object.keys(modifications).length === 0 || !approval) return outputs;
  return [
    ...outputs,
    r.send('proposal', proposalId, { type: 'ModifyProposal', data: { proposalId, baseVersion: approval.approval.proposalVersion, changes: modifications, approvalId } }),
  ];
}

/** ApprovalExpired (sent with the exhausting AdvanceEscalation) → its timer goes and people hear nobody decided. */
export function onApprovalExpired(event: ApprovalExpired, r: Reaction): SagaOutput[] {
  const { approvalId, proposalId, level, deadline } = event.data;
  const cancel: Cancel = { type: 'Cancel', timerId: approvalTimeoutTimerId(approvalId, level) };
  return [
    cancel,
    ...r.notify(r.options.operationsNotice, {
      subject: `Approval ${approvalId} expired`,
      message: `nobody decided on proposal ${proposalId} by ${deadline}, after escalation level ${level}; nothing runs`,
      severity: 'warning',
      refs: { approvalId, proposalId },
    }, 'expired'),
  ];
}

function closeApproval(r: Reaction, approvalId: string, why: EscalationStopReason): SagaOutput[] {
  const escalationId = sagaIds.escalation(r.context.deriveId, approvalId);
  return [...cancelTimers(r, approvalId, r.context.facts.approval?.approval.tier), r.send('escalation', escalationId, { type: 'StopEscalation', data: { escalationId, why } })];
}

/** Every level's timer: a closed approval no longer says which level it was at. */
function cancelTimers(r: Reaction, approvalId: string, tier: RiskTier | undefined): Cancel[] {
  const tierPolicy = tier ? r.context.policy.tiers[tier] : undefined;
  const levels = tierPolicy && !tierPolicy.autoApprove ? tierPolicy.escalation.length : 1;
  return Array.from({ length: levels }, (_, level) => ({ type: 'Cancel', timerId: approvalTimeoutTimerId(approvalId, level) }));
}
