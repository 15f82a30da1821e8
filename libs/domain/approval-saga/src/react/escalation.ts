import { EscalationLevelReached, NotifyTarget } from '@vigil/domain/escalation';
import { actionAt } from '../facts';
import { SagaOutput } from '../outputs';
import { Reaction, describeAction } from '../reaction';

/** EscalationLevelReached → one Notify per target of the level; each delivery is recorded on the escalation. */
export function onEscalationLevelReached(event: EscalationLevelReached, r: Reaction): SagaOutput[] {
  const { escalationId, approvalId, level, targets } = event.data;
  const { approval, proposal } = r.context.facts;
  const record = approval?.approval;
  const action = record && proposal ? actionAt(proposal, record.proposalVersion) : undefined;
  const deadline = approval?.status === 'Pending' ? approval.deadline : undefined;
  const who = (target: NotifyTarget) => ('role' in target ? `a ${target.role}` : target.user);
  const needed = record ? record.requiredRoles.map((requirement) => requirement.join(' or ')).join(' and ') : 'an approver';
  return r.notify(
    targets,
    (target) => ({
      subject: level === 0 ? `Approval needed (${record?.tier ?? 'unknown'} tier): ${approvalId}` : `Approval ${approvalId} escalated to level ${level}`,
      message: [
        action ? `Proposal ${record?.proposalId} v${record?.proposalVersion}: ${describeAction(action)}` : `Approval ${approvalId}`,
        proposal ? `why: ${proposal.rationale}` : undefined,
        `needs ${needed}; notifying ${who(target)}`,
        deadline ? `deadline ${deadline}` : undefined,
      ]
        .filter((part): part is string => part !== undefined)
        .join('\n'),
      severity: level === 0 ? 'info' : 'warning',
      refs: { approvalId, escalationId, ...(record ? { proposalId: record.proposalId } : {}) },
      escalation: { escalationId, level },
    }),
    `level-${level}`,
  );
}
