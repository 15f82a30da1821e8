import {
  ACTION_HASH,
  APPROVAL_ID,
  CORRELATION,
  ESCALATION_ID,
  EXECUTION_ID,
  MEDIUM_L0_DEADLINE,
  MEDIUM_L1_DEADLINE,
  MEDIUM_L2_DEADLINE,
  ROLLBACK,
  T1,
  approvalEvent,
  approvalRequested,
  assessed,
  commandTypes,
  proposed,
  sagaSpecification,
} from '../spec-fixtures';

const saga = sagaSpecification();
const meta = (eventId: string, purpose: string, now: string) => ({ now, actor: 'system:saga', causationId: eventId, correlationId: CORRELATION, idempotencyKey: `saga:${eventId}:${purpose}` });
const history = [proposed, assessed(), approvalRequested()];

const timedOut = (level: number, deadline: string, at = deadline) =>
  approvalEvent({ type: 'ApprovalTimedOut', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', level, deadline, at } }, `e-timed-out-${level}`);
const extended = (level: number, previousDeadline: string, newDeadline: string) =>
  approvalEvent(
    { type: 'ApprovalDeadlineExtended', data: { approvalId: APPROVAL_ID, level, previousDeadline, newDeadline, by: 'system:saga', at: previousDeadline } },
    `e-extended-${level}`,
  );
const cancels = [0, 1, 2].map((level) => ({ type: 'Cancel', timerId: `approval-timeout:${APPROVAL_ID}:${level}` }));

describe('approval saga: deadlines and escalation levels', () => {
  it('given the level-0 deadline passed, advances the escalation to level 1, extends the deadline to level 1\'s and arms its timer', () => {
    expect(saga.given(history).when(timedOut(0, MEDIUM_L0_DEADLINE))).toEqual([
      {
        type: 'Send',
        aggregate: 'escalation',
        id: ESCALATION_ID,
        command: { type: 'AdvanceEscalation', data: { escalationId: ESCALATION_ID, toLevel: 1 }, metadata: meta('e-timed-out-0', 'AdvanceEscalation', MEDIUM_L0_DEADLINE) },
      },
      {
        type: 'Send',
        aggregate: 'approval',
        id: APPROVAL_ID,
        command: { type: 'ExtendDeadline', data: { approvalId: APPROVAL_ID, newDeadline: MEDIUM_L1_DEADLINE, level: 1 }, metadata: meta('e-timed-out-0', 'ExtendDeadline', MEDIUM_L0_DEADLINE) },
      },
      {
        type: 'Schedule',
        timerId: `approval-timeout:${APPROVAL_ID}:1`,
        at: MEDIUM_L1_DEADLINE,
        work: {
          type: 'Send',
          send: {
            type: 'Send',
            aggregate: 'approval',
            id: APPROVAL_ID,
            command: {
              type: 'TimeOutApproval',
              data: { approvalId: APPROVAL_ID },
              metadata: { now: MEDIUM_L1_DEADLINE, actor: 'system:saga', causationId: 'e-timed-out-0', correlationId: CORRELATION, idempotencyKey: `timer:approval-timeout:${APPROVAL_ID}:1` },
            },
          },
        },
      },
    ]);
  });

  it('follows the tier\'s schedule level by level: level 1 times out into level 2 (the last), at the request time + 1 h + 30 min', () => {
    const outputs = saga.given([...history, timedOut(0, MEDIUM_L0_DEADLINE), extended(1, MEDIUM_L0_DEADLINE, MEDIUM_L1_DEADLINE)]).when(timedOut(1, MEDIUM_L1_DEADLINE));
    expect(commandTypes(outputs)).toEqual(['Send escalation/AdvanceEscalation', 'Send approval/ExtendDeadline', `Schedule approval-timeout:${APPROVAL_ID}:2`]);
    expect(outputs[0]).toMatchObject({ command: { data: { toLevel: 2 } } });
    expect(outputs[1]).toMatchObject({ command: { data: { newDeadline: MEDIUM_L2_DEADLINE, level: 2 } } });
    expect(outputs[2]).toMatchObject({ at: MEDIUM_L2_DEADLINE });
  });

  it('given the last level\'s deadline passed, expires the approval and exhausts the escalation', () => {
    const given = [...history, timedOut(0, MEDIUM_L0_DEADLINE), extended(1, MEDIUM_L0_DEADLINE, MEDIUM_L1_DEADLINE), timedOut(1, MEDIUM_L1_DEADLINE), extended(2, MEDIUM_L1_DEADLINE, MEDIUM_L2_DEADLINE)];
    expect(saga.given(given).when(timedOut(2, MEDIUM_L2_DEADLINE))).toEqual([
      { type: 'Send', aggregate: 'approval', id: APPROVAL_ID, command: { type: 'ExpireApproval', data: { approvalId: APPROVAL_ID }, metadata: meta('e-timed-out-2', 'ExpireApproval', MEDIUM_L2_DEADLINE) } },
      {
        type: 'Send',
        aggregate: 'escalation',
        id: ESCALATION_ID,
        command: { type: 'AdvanceEscalation', data: { escalationId: ESCALATION_ID, toLevel: 3 }, metadata: meta('e-timed-out-2', 'AdvanceEscalation', MEDIUM_L2_DEADLINE) },
      },
    ]);
  });

  it('given a timeout recorded after the next level\'s deadline too (the host was down), gives that level the grace period', () => {
    const late = '2025-03-01T11:10:00.000Z';
    const outputs = saga.given(history).when(timedOut(0, MEDIUM_L0_DEADLINE, late));
    expect(outputs[1]).toMatchObject({ command: { type: 'ExtendDeadline', data: { newDeadline: '2025-03-01T11:11:00.000Z', level: 1 } } });
    expect(outputs[2]).toMatchObject({ type: 'Schedule', at: '2025-03-01T11:11:00.000Z' });
    const slightlyLate = saga.given(history).when(timedOut(0, MEDIUM_L0_DEADLINE, '2025-03-01T10:30:02.000Z'));
    expect(slightlyLate[1]).toMatchObject({ command: { data: { newDeadline: MEDIUM_L1_DEADLINE } } });
  });
});

describe('approval saga: decisions', () => {
  const granted = approvalEvent(
    { type: 'ApprovalGranted', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', proposalVersion: 1, actionHash: ACTION_HASH, approvers: [{ requirement: 0, by: 'tl-tom' }], at: T1 } },
    'e-granted',
  );

  it('given a grant, cancels the timers, stops the escalation and requests the execution of exactly the approved action', () => {
    expect(saga.given(history).when(granted)).toEqual([
      ...cancels,
      { type: 'Send', aggregate: 'escalation', id: ESCALATION_ID, command: { type: 'StopEscalation', data: { escalationId: ESCALATION_ID, why: 'granted' }, metadata: meta('e-granted', 'StopEscalation', T1) } },
      {
        type: 'Send',
        aggregate: 'execution',
        id: EXECUTION_ID,
        command: {
          type: 'RequestExecution',
          data: { executionId: EXECUTION_ID, proposalId: 'prop-1', approvalId: APPROVAL_ID, action: ROLLBACK, actionHash: ACTION_HASH, idempotencyKey: EXECUTION_ID, maxAttempts: 3 },
          metadata: meta('e-granted', `RequestExecution:${APPROVAL_ID}`, T1),
        },
      },
    ]);
  });

  it('requests the approved version\'s action even when the proposal has moved on since', () => {
    const modified = { ...proposed, eventId: 'e-modified', type: 'ProposalModified', data: { proposalId: 'prop-1', by: 'carol', changes: { revision: 'v39' }, params: { revision: 'v39' }, previousVersion: 1, newVersion: 2, at: T1 } };
    const request = saga.given([...history, modified]).when(granted).find((o) => o.type === 'Send' && o.command.type === 'RequestExecution');
    expect(request).toMatchObject({ command: { data: { action: ROLLBACK, actionHash: ACTION_HASH } } });
  });

  it('given a grant whose hash does not match the recorded action, requests nothing and says so', () => {
    const forged = { ...granted, data: { ...(granted.data as object), actionHash: 'sha256(something else)' } };
    const outputs = saga.given(history).when(forged);
    expect(commandTypes(outputs)).toEqual([...cancels.map((c) => `Cancel ${c.timerId}`), 'Send escalation/StopEscalation', 'Notify log']);
    expect(outputs[4]).toMatchObject({ severity: 'critical', subject: `Approval ${APPROVAL_ID} granted, nothing executed` });
  });

  it('given a rejection, stops everything and feeds the reason back to the investigation', () => {
    const rejected = approvalEvent({ type: 'ApprovalRejected', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', by: 'tl-tom', reason: 'v41 lacks the fraud hotfix', at: T1 } }, 'e-rejected');
    expect(saga.given(history).when(rejected)).toEqual([
      ...cancels,
      { type: 'Send', aggregate: 'escalation', id: ESCALATION_ID, command: { type: 'StopEscalation', data: { escalationId: ESCALATION_ID, why: 'rejected' }, metadata: meta('e-rejected', 'StopEscalation', T1) } },
      {
        type: 'Send',
        aggregate: 'investigation',
        id: 'inv-1',
        command: {
          type: 'RecordRejectionFeedback',
          data: { investigationId: 'inv-1', proposalId: 'prop-1', approvalId: APPROVAL_ID, rejectedBy: 'tl-tom', reason: 'v41 lacks the fraud hotfix' },
          metadata: meta('e-rejected', 'RecordRejectionFeedback', T1),
        },
      },
    ]);
  });

  it('given a rejection of a proposal made without an investigation, only stops', () => {
    const humanProposal = { ...proposed, data: { ...(proposed.data as object), investigationId: undefined } };
    const rejected = approvalEvent({ type: 'ApprovalRejected', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', by: 'tl-tom', reason: 'no', at: T1 } }, 'e-rejected');
    expect(commandTypes(saga.given([humanProposal, assessed(), approvalRequested()]).when(rejected)).at(-1)).toBe('Send escalation/StopEscalation');
  });

  it('given an approve-with-modifications, stops and modifies the approved version with the changes (no vote carried over)', () => {
    const cancelled = approvalEvent(
      { type: 'ApprovalCancelled', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', reason: 'modified', by: 'tl-tom', modifications: { revision: 'v40' }, at: T1 } },
      'e-cancelled',
    );
    expect(saga.given(history).when(cancelled)).toEqual([
      ...cancels,
      { type: 'Send', aggregate: 'escalation', id: ESCALATION_ID, command: { type: 'StopEscalation', data: { escalationId: ESCALATION_ID, why: 'cancelled' }, metadata: meta('e-cancelled', 'StopEscalation', T1) } },
      {
        type: 'Send',
        aggregate: 'proposal',
        id: 'prop-1',
        command: { type: 'ModifyProposal', data: { proposalId: 'prop-1', baseVersion: 1, changes: { revision: 'v40' }, approvalId: APPROVAL_ID }, metadata: meta('e-cancelled', 'ModifyProposal', T1) },
      },
    ]);
  });

  it('given an approval cancelled because the proposal was withdrawn, only stops', () => {
    const cancelled = approvalEvent({ type: 'ApprovalCancelled', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', reason: 'withdrawn', by: 'alice', at: T1 } }, 'e-cancelled');
    expect(commandTypes(saga.given(history).when(cancelled))).toEqual([...cancels.map((c) => `Cancel ${c.timerId}`), 'Send escalation/StopEscalation']);
  });

  it('given an expired approval, drops its timer and says nobody decided', () => {
    const expired = approvalEvent({ type: 'ApprovalExpired', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', level: 2, deadline: MEDIUM_L2_DEADLINE, at: MEDIUM_L2_DEADLINE } }, 'e-expired');
    expect(saga.given(history).when(expired)).toEqual([
      { type: 'Cancel', timerId: `approval-timeout:${APPROVAL_ID}:2` },
      expect.objectContaining({ type: 'Notify', channel: 'log', subject: `Approval ${APPROVAL_ID} expired`, severity: 'warning', key: 'saga:e-expired:notify:expired:0' }),
    ]);
  });
});
