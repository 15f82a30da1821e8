import { RequestApproval } from '../commands';
import { DEADLINE, highRequested, meta, spec, T0 } from '../spec-fixtures';

const request = (overrides: Partial<RequestApproval['data']> = {}, now = T0): RequestApproval => ({
  type: 'RequestApproval',
  data: {
    approvalId: 'appr-1',
    proposalId: 'prop-1',
    proposalVersion: 2,
    actionHash: 'sha256:h2',
    tier: 'high',
    requiredRoles: [['sre'], ['manager']],
    proposer: 'ai:investigator',
    deadline: DEADLINE,
    ...overrides,
  },
  metadata: meta('system:saga', now),
});

describe('RequestApproval', () => {
  it('opens a pending approval for one version and action hash, with the required roles and deadline', () => {
    spec.given([]).when(request()).then([highRequested]);
  });

  it('refuses an approval nobody is required for (auto-approved tiers never request one)', () => {
    spec.given([]).when(request({ requiredRoles: [] })).thenThrows('APPROVAL.INVALID_INPUT');
    spec.given([]).when(request({ requiredRoles: [[]] })).thenThrows('APPROVAL.INVALID_INPUT');
  });

  it('refuses a deadline that is not after now with APPROVAL.INVALID_DEADLINE', () => {
    spec.given([]).when(request({ deadline: T0 })).thenThrows('APPROVAL.INVALID_DEADLINE');
  });

  it('refuses a second request on the same approval with APPROVAL.ALREADY_EXISTS', () => {
    spec.given([highRequested]).when(request()).thenThrows('APPROVAL.ALREADY_EXISTS');
  });
});
