import { addMilliseconds } from '@vigil/domain/shared';
import { RenewLease } from '../commands';
import { LeaseRenewed } from '../events';
import { ExecutionState } from '../state';
import { requireLeaseMs, requireRunningAttempt } from './guards';

export function renewLease(command: RenewLease, state: ExecutionState): [LeaseRenewed] {
  const { executionId, attempt, leaseOwner, leaseMs } = command.data;
  requireRunningAttempt(state, executionId, attempt, leaseOwner);
  requireLeaseMs(leaseMs);
  const { now } = command.metadata;
  return [{ type: 'LeaseRenewed', data: { executionId, attempt, leaseOwner, leaseExpiresAt: addMilliseconds(now, leaseMs), at: now } }];
}
