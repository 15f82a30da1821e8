import { CommandMetadata, deciderSpecification } from '@vigil/domain/shared';
import { executionDecider } from './decider';
import { ExecutionRequested, ExecutionStarted, ExecutionSucceeded } from './events';

export const spec = deciderSpecification(executionDecider);
export const T0 = '2025-03-01T11:00:00.000Z';
/** 10 s after T0: within a 30 s lease. */
export const T10S = '2025-03-01T11:00:10.000Z';
/** 40 s after T0: a 30 s lease taken at T0 has expired. */
export const T40S = '2025-03-01T11:00:40.000Z';
export const meta = (actor = 'system:worker', now = T10S): CommandMetadata => ({ actor, now });

export const requested: ExecutionRequested = {
  type: 'ExecutionRequested',
  data: {
    executionId: 'exec-1',
    proposalId: 'prop-1',
    approvalId: 'appr-1',
    action: { kind: 'k8s.scale', target: 'k8s:prod/payments/deployment/api', params: { replicas: 6 } },
    actionHash: 'sha256:h2',
    idempotencyKey: 'exec-1',
    maxAttempts: 2,
    requestedBy: 'system:saga',
    at: T0,
  },
};

export const started = (attempt: number, leaseOwner: string, at = T0, leaseExpiresAt = '2025-03-01T11:00:30.000Z'): ExecutionStarted => ({
  type: 'ExecutionStarted',
  data: { executionId: 'exec-1', attempt, leaseOwner, leaseExpiresAt, at },
});

export const succeeded: ExecutionSucceeded = {
  type: 'ExecutionSucceeded',
  data: { executionId: 'exec-1', attempt: 1, result: { previousReplicas: 3, replicas: 6 }, at: T10S },
};
