import { CompensationProposed, ExecutionRequested, ExecutionVerified } from '../events';
import { meta, requested, spec, started, succeeded, T10S, T40S } from '../spec-fixtures';

const notRecovered: ExecutionVerified = { type: 'ExecutionVerified', data: { executionId: 'exec-1', recovered: false, evidence: { p99Ms: 1400 }, at: T40S } };
const scaleBack: CompensationProposed = {
  type: 'CompensationProposed',
  data: {
    executionId: 'exec-1',
    inverse: { kind: 'k8s.scale', target: 'k8s:prod/payments/deployment/api', params: { replicas: 3 } },
    reason: 'latency did not recover',
    by: 'system:saga',
    at: T40S,
  },
};

describe('VerifyExecution / ProposeCompensation / RecordCompensation', () => {
  it('records whether the signal recovered after the change', () => {
    spec.given([requested, started(1, 'worker-a'), succeeded]).when({
      type: 'VerifyExecution',
      data: { executionId: 'exec-1', recovered: false, evidence: { p99Ms: 1400 } },
      metadata: meta('system:verifier', T40S),
    }).then([notRecovered]);
  });

  it('refuses to verify an execution that has not succeeded (EXECUTION.NOT_SUCCEEDED)', () => {
    spec.given([requested, started(1, 'worker-a')]).when({ type: 'VerifyExecution', data: { executionId: 'exec-1', recovered: true }, metadata: meta() })
      .thenThrows('EXECUTION.NOT_SUCCEEDED');
  });

  it('refuses a second verification (EXECUTION.ALREADY_VERIFIED)', () => {
    spec.given([requested, started(1, 'worker-a'), succeeded, notRecovered]).when({ type: 'VerifyExecution', data: { executionId: 'exec-1', recovered: true }, metadata: meta() })
      .thenThrows('EXECUTION.ALREADY_VERIFIED');
  });

  it('proposes scaling back to the previous replica count as the compensation of a scale', () => {
    spec.given([requested, started(1, 'worker-a'), succeeded, notRecovered]).when({
      type: 'ProposeCompensation',
      data: { executionId: 'exec-1', reason: 'latency did not recover' },
      metadata: meta('system:saga', T40S),
    }).then([scaleBack]);
  });

  it('proposes rolling forward to the previous revision as the compensation of a rollback', () => {
    const rollback: ExecutionRequested = {
      type: 'ExecutionRequested',
      data: { ...requested.data, action: { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.13.2' } } },
    };
    spec.given([
      rollback, started(1, 'worker-a'),
      { type: 'ExecutionSucceeded', data: { executionId: 'exec-1', attempt: 1, result: { previousRevision: 'v2.14.0' }, at: T10S } },
    ]).when({ type: 'ProposeCompensation', data: { executionId: 'exec-1', reason: 'errors rose' }, metadata: meta('system:saga', T40S) }).thenMatches(
      (events) =>
        events[0]?.type === 'CompensationProposed' &&
        JSON.stringify(events[0].data.inverse) === JSON.stringify({ kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v2.14.0' } }),
      'a roll forward to v2.14.0',
    );
  });

  it('refuses a compensation for an action without an inverse (EXECUTION.NO_INVERSE)', () => {
    const restart: ExecutionRequested = { type: 'ExecutionRequested', data: { ...requested.data, action: { kind: 'k8s.rollout-restart', target: 'api', params: {} } } };
    spec.given([restart, started(1, 'worker-a'), { type: 'ExecutionSucceeded', data: { executionId: 'exec-1', attempt: 1, result: {}, at: T10S } }])
      .when({ type: 'ProposeCompensation', data: { executionId: 'exec-1', reason: 'no better' }, metadata: meta('system:saga', T40S) })
      .thenThrows('EXECUTION.NO_INVERSE');
  });

  it('records the compensation once the compensating execution ran, once', () => {
    const compensated = { type: 'ExecutionCompensated' as const, data: { executionId: 'exec-1', compensatingExecutionId: 'exec-2', by: 'system:saga', at: T40S } };
    spec.given([requested, started(1, 'worker-a'), succeeded, notRecovered, scaleBack]).when({
      type: 'RecordCompensation',
      data: { executionId: 'exec-1', compensatingExecutionId: 'exec-2' },
      metadata: meta('system:saga', T40S),
    }).then([compensated]);
    spec.given([requested, started(1, 'worker-a'), succeeded, scaleBack, compensated]).when({
      type: 'RecordCompensation',
      data: { executionId: 'exec-1', compensatingExecutionId: 'exec-2' },
      metadata: meta('system:saga', T40S),
    }).then([]);
  });
});
