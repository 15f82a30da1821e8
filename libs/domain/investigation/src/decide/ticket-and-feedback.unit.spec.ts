import { RejectionFeedbackRecorded, TicketLinked } from '../events';
import { concluded, deploymentFinding, meta, opened, spec, T1 } from '../spec-fixtures';

const linked: TicketLinked = { type: 'TicketLinked', data: { investigationId: 'inv-1', jiraKey: 'OPS-142', by: 'system:jira', at: T1 } };
const feedback: RejectionFeedbackRecorded = {
  type: 'RejectionFeedbackRecorded',
  data: { investigationId: 'inv-1', proposalId: 'prop-1', approvalId: 'appr-1', rejectedBy: 'maria', reason: 'rollback loses the fraud rule hotfix', at: T1 },
};

describe('LinkTicket / RecordRejectionFeedback', () => {
  it('links a Jira ticket', () => {
    spec.given([opened]).when({ type: 'LinkTicket', data: { investigationId: 'inv-1', jiraKey: 'OPS-142' }, metadata: meta('system:jira') }).then([linked]);
  });

  it('appends nothing when the same ticket is linked twice', () => {
    spec.given([opened, linked]).when({ type: 'LinkTicket', data: { investigationId: 'inv-1', jiraKey: 'OPS-142' }, metadata: meta('system:jira') }).then([]);
  });

  it('refuses a different ticket once one is linked with INVESTIGATION.TICKET_ALREADY_LINKED', () => {
    spec.given([opened, linked]).when({ type: 'LinkTicket', data: { investigationId: 'inv-1', jiraKey: 'OPS-143' }, metadata: meta('system:jira') })
      .thenThrows('INVESTIGATION.TICKET_ALREADY_LINKED');
  });

  it('refuses something that is not a Jira key', () => {
    spec.given([opened]).when({ type: 'LinkTicket', data: { investigationId: 'inv-1', jiraKey: 'ops 142' }, metadata: meta('system:jira') })
      .thenThrows('INVESTIGATION.INVALID_INPUT');
  });

  it('feeds an approval rejection back to the concluded investigation', () => {
    spec.given([opened, deploymentFinding, concluded]).when({
      type: 'RecordRejectionFeedback',
      data: { investigationId: 'inv-1', proposalId: 'prop-1', approvalId: 'appr-1', rejectedBy: 'maria', reason: 'rollback loses the fraud rule hotfix' },
      metadata: meta('system:saga'),
    }).then([feedback]);
  });

  it('records the rejection of one proposal once', () => {
    spec.given([opened, concluded, feedback]).when({
      type: 'RecordRejectionFeedback',
      data: { investigationId: 'inv-1', proposalId: 'prop-1', rejectedBy: 'maria', reason: 'again' },
      metadata: meta('system:saga'),
    }).then([]);
  });
});
