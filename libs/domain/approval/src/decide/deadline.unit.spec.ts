import { ApprovalDeadlineExtended, ApprovalGranted, ApprovalTimedOut } from '../events';
import { AFTER, DEADLINE, DURING, highRequested, meta, spec, voteCast } from '../spec-fixtures';

const NEXT_DEADLINE = '2025-03-01T12:00:00.000Z';
const EARLY = '2025-03-01T10:10:00.000Z';
const timedOut: ApprovalTimedOut = { type: 'ApprovalTimedOut', data: { approvalId: 'appr-1', proposalId: 'prop-1', level: 0, deadline: DEADLINE, at: AFTER } };
const extended: ApprovalDeadlineExtended = {
  type: 'ApprovalDeadlineExtended',
  data: { approvalId: 'appr-1', level: 1, previousDeadline: DEADLINE, newDeadline: NEXT_DEADLINE, by: 'system:saga', at: AFTER },
};
const granted: ApprovalGranted = {
  type: 'ApprovalGranted',
  data: { approvalId: 'appr-1', proposalId: 'prop-1', proposalVersion: 2, actionHash: 'sha256:h2', approvers: [{ requirement: 0, by: 'sam' }, { requirement: 1, by: 'maria' }], at: DURING },
};

describe('TimeOutApproval / ExtendDeadline / ExpireApproval', () => {
  it('times out at the deadline and records the escalation level', () => {
    spec.given([highRequested]).when({ type: 'TimeOutApproval', data: { approvalId: 'appr-1' }, metadata: meta('system:timer', AFTER) }).then([timedOut]);
  });

  it('refuses a timeout before the deadline with APPROVAL.NOT_YET_DUE', () => {
    spec.given([highRequested]).when({ type: 'TimeOutApproval', data: { approvalId: 'appr-1' }, metadata: meta('system:timer', DURING) })
      .thenThrows('APPROVAL.NOT_YET_DUE');
  });

  it('appends nothing when the timer fires twice for the same deadline', () => {
    spec.given([highRequested, timedOut]).when({ type: 'TimeOutApproval', data: { approvalId: 'appr-1' }, metadata: meta('system:timer', AFTER) }).then([]);
  });

  it('appends nothing when the timer fires after the approval was decided', () => {
    spec.given([highRequested, voteCast('sam', ['sre']), voteCast('maria', ['manager']), granted])
      .when({ type: 'TimeOutApproval', data: { approvalId: 'appr-1' }, metadata: meta('system:timer', AFTER) })
      .then([]);
  });

  it('keeps a timed-out approval pending through the next escalation level by extending its deadline', () => {
    spec.given([highRequested, timedOut]).when({
      type: 'ExtendDeadline',
      data: { approvalId: 'appr-1', newDeadline: NEXT_DEADLINE, level: 1 },
      metadata: meta('system:saga', AFTER),
    }).then([extended]);
  });

  it('appends nothing when the same extension is repeated', () => {
    spec.given([highRequested, timedOut, extended]).when({
      type: 'ExtendDeadline',
      data: { approvalId: 'appr-1', newDeadline: NEXT_DEADLINE, level: 1 },
      metadata: meta('system:saga', AFTER),
    }).then([]);
  });

  it('refuses to move the deadline earlier with APPROVAL.INVALID_DEADLINE', () => {
    spec.given([highRequested]).when({
      type: 'ExtendDeadline',
      data: { approvalId: 'appr-1', newDeadline: DURING, level: 1 },
      metadata: meta('system:saga', EARLY),
    }).thenThrows('APPROVAL.INVALID_DEADLINE');
  });

  it('expires the approval after the last escalation level', () => {
    spec.given([highRequested, timedOut, extended]).when({
      type: 'ExpireApproval',
      data: { approvalId: 'appr-1' },
      metadata: meta('system:saga', NEXT_DEADLINE),
    }).then([{ type: 'ApprovalExpired', data: { approvalId: 'appr-1', proposalId: 'prop-1', level: 1, deadline: NEXT_DEADLINE, at: NEXT_DEADLINE } }]);
  });

  it('refuses to expire an approval before its deadline with APPROVAL.NOT_YET_DUE', () => {
    spec.given([highRequested, timedOut, extended]).when({ type: 'ExpireApproval', data: { approvalId: 'appr-1' }, metadata: meta('system:saga', AFTER) })
      .thenThrows('APPROVAL.NOT_YET_DUE');
  });
});
