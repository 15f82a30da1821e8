import {
  APPROVAL_ID,
  CORRELATION,
  EXECUTION_ID,
  T1,
  approvalRequested,
  assessed,
  executionEvent,
  executionRequested,
  executionStarted,
  executionSucceeded,
  proposed,
  sagaSpecification,
} from '../spec-fixtures';

const saga = sagaSpecification();
const history = [proposed, assessed(), approvalRequested(), executionRequested, executionStarted];
const meta = (eventId: string, purpose: string, now: string) => ({ now, actor: 'system:saga', causationId: eventId, correlationId: CORRELATION, idempotencyKey: `saga:${eventId}:${purpose}` });

describe('approval saga: executions', () => {
  it('given a success, schedules the signal re-check of the proposal\'s anomaly after the verify delay', () => {
    expect(saga.given(history).when(executionSucceeded)).toEqual([
      {
        type: 'Schedule',
        timerId: `execution-verify:${EXECUTION_ID}`,
        at: '2025-03-01T10:10:00.000Z',
        work: {
          type: 'VerifyExecution',
          executionId: EXECUTION_ID,
          anomalyId: 'anom-1',
          metadata: { now: '2025-03-01T10:10:00.000Z', actor: 'system:saga', causationId: 'e-exec-succeeded', correlationId: CORRELATION, idempotencyKey: `timer:execution-verify:${EXECUTION_ID}` },
        },
      },
    ]);
  });

  it('takes the verify delay from the options', () => {
    const [timer] = sagaSpecification({ options: { verifyDelayMs: 30_000 } }).given(history).when(executionSucceeded);
    expect(timer).toMatchObject({ at: '2025-03-01T10:05:30.000Z' });
  });

  it('schedules no re-check when the proposal is not about an anomaly', () => {
    const noAnomaly = { ...proposed, data: { ...(proposed.data as object), anomalyId: undefined } };
    expect(saga.given([noAnomaly, ...history.slice(1)]).when(executionSucceeded)).toEqual([]);
  });

  it('given a final failure, tells the responders; a failure that will be retried is not news', () => {
    const failed = (willRetry: boolean) =>
      executionEvent({ type: 'ExecutionFailed', data: { executionId: EXECUTION_ID, attempt: 1, error: 'argocd: 404 application not found', retryable: false, willRetry, at: T1 } }, 'e-failed');
    expect(saga.given(history).when(failed(false))).toEqual([
      expect.objectContaining({
        type: 'Notify',
        channel: 'log',
        severity: 'critical',
        subject: `Execution ${EXECUTION_ID} failed`,
        message: 'argocd.rollback on argocd:payments-api {"revision":"v41"} failed on attempt 1 and will not be retried: argocd: 404 application not found',
        refs: { executionId: EXECUTION_ID, proposalId: 'prop-1', approvalId: APPROVAL_ID, anomalyId: 'anom-1' },
      }),
    ]);
    expect(saga.given(history).when(failed(true))).toEqual([]);
  });

  it('given a refused execution (the pre-run check failed), says why nothing ran', () => {
    const refused = executionEvent({ type: 'ExecutionRefused', data: { executionId: EXECUTION_ID, why: 'action-hash-mismatch', by: 'system:worker', at: T1 } }, 'e-refused');
    expect(saga.given(history).when(refused)).toEqual([expect.objectContaining({ type: 'Notify', subject: `Execution ${EXECUTION_ID} refused`, severity: 'warning' })]);
  });

  it('given a verified recovery, resolves the anomaly as remediated', () => {
    const verified = executionEvent({ type: 'ExecutionVerified', data: { executionId: EXECUTION_ID, recovered: true, evidence: { p99Ms: 170 }, at: '2025-03-01T10:10:00.000Z' } }, 'e-verified');
    expect(saga.given([...history, executionSucceeded]).when(verified)).toEqual([
      {
        type: 'Send',
        aggregate: 'anomaly',
        id: 'anom-1',
        command: {
          type: 'ResolveAnomaly',
          data: { anomalyId: 'anom-1', how: 'remediated', note: `execution ${EXECUTION_ID} verified` },
          metadata: meta('e-verified', 'ResolveAnomaly', '2025-03-01T10:10:00.000Z'),
        },
      },
    ]);
  });

  it('given a verification that the signal did not recover, proposes the compensation and says so', () => {
    const verified = executionEvent({ type: 'ExecutionVerified', data: { executionId: EXECUTION_ID, recovered: false, at: '2025-03-01T10:10:00.000Z' } }, 'e-verified');
    expect(saga.given([...history, executionSucceeded]).when(verified)).toEqual([
      {
        type: 'Send',
        aggregate: 'execution',
        id: EXECUTION_ID,
        command: {
          type: 'ProposeCompensation',
          data: { executionId: EXECUTION_ID, reason: 'the signal did not recover after the change' },
          metadata: meta('e-verified', 'ProposeCompensation', '2025-03-01T10:10:00.000Z'),
        },
      },
      expect.objectContaining({ type: 'Notify', subject: `Execution ${EXECUTION_ID} did not help` }),
    ]);
  });

  it('given a proposed compensation, proposes the inverse action for the same anomaly, to be approved like any other', () => {
    const inverse = { kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: 3 } } as const;
    const compensation = executionEvent(
      { type: 'CompensationProposed', data: { executionId: EXECUTION_ID, inverse, reason: 'the signal did not recover after the change', by: 'system:saga', at: '2025-03-01T10:11:00.000Z' } },
      'e-compensation',
    );
    const [send, ...rest] = saga.given([...history, executionSucceeded]).when(compensation);
    expect(rest).toEqual([]);
    expect(send).toMatchObject({
      type: 'Send',
      aggregate: 'proposal',
      command: {
        type: 'ProposeRemediation',
        data: { action: inverse, anomalyId: 'anom-1', rationale: expect.stringContaining(`Compensation for execution ${EXECUTION_ID}`) },
        metadata: meta('e-compensation', 'ProposeRemediation', '2025-03-01T10:11:00.000Z'),
      },
    });
    expect(saga.given([...history, executionSucceeded]).when(compensation)).toEqual([send]);
  });
});
