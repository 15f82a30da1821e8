import { RecordRejectionFeedback } from '../commands';
import { RejectionFeedbackRecorded } from '../events';
import { InvestigationState } from '../state';
import { requireStarted, requireText } from './guards';

/** Accepted open or concluded (proposals come after the conclusion); the same proposal's rejection is recorded once. */
export function recordRejectionFeedback(command: RecordRejectionFeedback, state: InvestigationState): RejectionFeedbackRecorded[] {
  const { investigationId, proposalId, approvalId, rejectedBy, reason } = command.data;
  const { investigation } = requireStarted(state, investigationId);
  requireText(proposalId, 'proposalId');
  if (investigation.rejections.some((rejection) => rejection.proposalId === proposalId)) return [];
  requireText(rejectedBy, 'rejectedBy');
  requireText(reason, 'reason');
  return [{ type: 'RejectionFeedbackRecorded', data: { investigationId, proposalId, approvalId, rejectedBy, reason, at: command.metadata.now } }];
}
