import { ApprovalState, assignApprovers, RoleRequirement } from '@vigil/domain/approval';
import { actionAt } from '@vigil/domain/approval-saga';
import { DryRunOutcome, RiskFactor } from '@vigil/domain/remediation';
import { ApprovalCardModel } from '@vigil/integrations/slack';
import { IncidentLinks } from '../deliveries/incident-links';

/** The requirements no distinct approver fills yet (the largest set of requirements the approvals so far can fill is taken out). */
export function stillNeeded(requirements: readonly RoleRequirement[], approvals: readonly { by: string; roles: readonly string[] }[]): RoleRequirement[] {
  let best: number[] = [];
  const n = requirements.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const chosen = Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
    if (chosen.length <= best.length) continue;
    if (assignApprovers(chosen.map((i) => requirements[i]), approvals)) best = chosen;
  }
  return requirements.filter((_, i) => !best.includes(i));
}

function outcomeOf(state: Exclude<ApprovalState, { status: 'Initial' | 'Pending' }>): string {
  switch (state.status) {
    case 'Granted':
      return `Approved by ${[...new Set(state.approvers.map((a) => a.by))].join(', ')}; the action runs now`;
    case 'Rejected':
      return `Rejected by ${state.rejectedBy}: ${state.reason}`;
    case 'Cancelled':
      return state.reason === 'modified' ? 'Approved with modified parameters: the new version needs its own approval' : `Cancelled (${state.reason})`;
    case 'Expired':
      return 'Expired: nobody decided before the last escalation deadline; nothing runs';
  }
}

/** The card of one approval, from the streams as they are now. */
export async function loadApprovalCard(links: IncidentLinks, approvalId: string, publicUrl?: string): Promise<ApprovalCardModel | undefined> {
  const approval = await links.approval(approvalId);
  if (!approval) return undefined;
  const record = approval.approval;
  const proposalEvents = await links.proposalEvents(record.proposalId);
  const proposal = await links.proposal(record.proposalId);
  const action = proposal ? actionAt(proposal, record.proposalVersion) : undefined;
  const assessed = [...proposalEvents].reverse().find((e) => e.type === 'RiskAssessed' && (e.data as { version: number }).version === record.proposalVersion)?.data as
    | { factors?: readonly RiskFactor[]; dryRun?: DryRunOutcome; blastRadius?: Record<string, unknown> }
    | undefined;

  const evidence: string[] = [];
  if (proposal?.anomalyId) {
    const anomaly = await links.anomaly(proposal.anomalyId);
    if (anomaly) {
      const { latest } = anomaly;
      evidence.push(`${anomaly.signal} on ${anomaly.service} ${anomaly.operation}: expected ${latest.expected}, saw ${latest.actual} (${anomaly.state.anomaly.severity}, score ${latest.score})${anomaly.state.anomaly.occurrences > 1 ? `, ${anomaly.state.anomaly.occurrences} occurrences` : ''}`);
    }
  }
  const investigationId = await links.investigationOfProposal(proposal);
  if (investigationId) {
    const { state, events } = await links.investigation(investigationId);
    const findings = events
      .filter((e) => e.type === 'FindingRecorded')
      .map((e) => e.data as { kind: string; summary: string; score: number })
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    for (const finding of findings) evidence.push(`${finding.kind}: ${finding.summary} (score ${finding.score})`);
    if (state.status === 'Concluded' && state.hypotheses[0]) evidence.push(`most likely: ${state.hypotheses[0].summary} (confidence ${state.hypotheses[0].confidence})`);
  }
  if (assessed?.dryRun) evidence.push(`dry run ${assessed.dryRun.ok ? 'passed' : 'FAILED'}${assessed.dryRun.summary ? `: ${assessed.dryRun.summary}` : ''}`);
  if (assessed?.blastRadius && Object.keys(assessed.blastRadius).length) evidence.push(`blast radius: ${JSON.stringify(assessed.blastRadius)}`);
  for (const factor of assessed?.factors ?? []) if (factor.name !== 'action-tier') evidence.push(`risk: ${factor.name}${factor.detail ? ` (${factor.detail})` : ''}`);

  const approvals = approval.votes.filter((v) => v.decision === 'approve' && !(v.modifications && Object.keys(v.modifications).length));
  const status = approval.status.toLowerCase() as ApprovalCardModel['status'];
  return {
    approvalId,
    status,
    tier: record.tier,
    proposalId: record.proposalId,
    proposalVersion: record.proposalVersion,
    actionHash: record.actionHash,
    ...(action ? { action: { kind: action.kind, target: action.target, params: action.params as Record<string, unknown> } } : {}),
    ...(proposal?.rationale ? { rationale: proposal.rationale } : {}),
    proposer: record.proposer,
    evidence,
    stillNeeded: stillNeeded(record.requiredRoles, approvals).map((requirement) => requirement.join(' or ')),
    votes: approval.votes.map((v) => ({ by: v.by, decision: v.decision, roles: v.roles, ...(v.reason ? { reason: v.reason } : {}) })),
    ...(approval.status === 'Pending' ? { deadline: approval.deadline, escalationLevel: approval.level } : { outcome: outcomeOf(approval) }),
    ...(publicUrl ? { consoleUrl: `${publicUrl}/approvals/${approvalId}` } : {}),
  };
}
