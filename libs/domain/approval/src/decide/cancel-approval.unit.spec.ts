import { ApprovalCancelled } from '../events';
import { DURING, highRequested, meta, spec, voteCast } from '../spec-fixtures';

const cancelled: ApprovalCancelled = {
  type: 'ApprovalCancelled',
  data: { approvalId: 'appr-1', proposalId: 'prop-1', reason: 'superseded', by: 'system:saga', note: 'modified to a higher tier', at: DURING },
};

describe('CancelApproval', () => {
  it('cancels a pending approval whose proposal was superseded', () => {
    spec.given([highRequested]).when({
      type: 'CancelApproval',
      data: { approvalId: 'appr-1', reason: 'superseded', note: 'modified to a higher tier' },
      metadata: meta('system:saga'),
    }).then([cancelled]);
  });

  it('appends nothing when a cancelled approval is cancelled again', () => {
    spec.given([highRequested, cancelled]).when({ type: 'CancelApproval', data: { approvalId: 'appr-1', reason: 'withdrawn' }, metadata: meta('system:saga') }).then([]);
  });

  it('refuses to cancel a decided approval with APPROVAL.CLOSED', () => {
    spec.given([
      highRequested,
      voteCast('sam', ['sre'], { decision: 'reject', reason: 'no' }),
      { type: 'ApprovalRejected', data: { approvalId: 'appr-1', proposalId: 'prop-1', by: 'sam', reason: 'no', at: DURING } },
    ]).when({ type: 'CancelApproval', data: { approvalId: 'appr-1', reason: 'withdrawn' }, metadata: meta('system:saga') }).thenThrows('APPROVAL.CLOSED');
  });
});
