import { APPROVAL_ID, ESCALATION_ID, MEDIUM_L0_DEADLINE, MEDIUM_L1_DEADLINE, T0, approvalEvent, approvalRequested, assessed, escalationStarted, levelReached, proposed, sagaSpecification } from '../spec-fixtures';

const saga = sagaSpecification();
const history = [proposed, assessed(), approvalRequested(), escalationStarted];

describe('approval saga: escalation notices', () => {
  it('given level 0 reached, notifies each target of the level (team lead on Slack and on the log), recorded on the escalation', () => {
    const outputs = saga.given(history).when(levelReached(0, T0));
    expect(outputs).toEqual([
      expect.objectContaining({
        type: 'Notify',
        key: 'saga:e-level-0:notify:level-0:0',
        channel: 'slack',
        target: { role: 'team-lead', channel: 'slack' },
        escalationId: ESCALATION_ID,
        level: 0,
        severity: 'info',
        subject: `Approval needed (medium tier): ${APPROVAL_ID}`,
        refs: { approvalId: APPROVAL_ID, escalationId: ESCALATION_ID, proposalId: 'prop-1' },
      }),
      expect.objectContaining({ type: 'Notify', key: 'saga:e-level-0:notify:level-0:1', channel: 'log', target: { role: 'team-lead', channel: 'log' }, level: 0 }),
    ]);
  });

  it('says what would run, why, who must approve and until when', () => {
    const [slack] = saga.given(history).when(levelReached(0, T0));
    expect(slack).toMatchObject({
      message: [
        'Proposal prop-1 v1: argocd.rollback on argocd:payments-api {"revision":"v41"}',
        'why: latency rose right after the v42 deploy',
        'needs team-lead; notifying a team-lead',
        `deadline ${MEDIUM_L0_DEADLINE}`,
      ].join('\n'),
    });
  });

  it('given level 1 reached after a timeout, pages the team lead with the extended deadline', () => {
    const timedOut = approvalEvent({ type: 'ApprovalTimedOut', data: { approvalId: APPROVAL_ID, proposalId: 'prop-1', level: 0, deadline: MEDIUM_L0_DEADLINE, at: MEDIUM_L0_DEADLINE } }, 'e-to-0');
    const extended = approvalEvent(
      { type: 'ApprovalDeadlineExtended', data: { approvalId: APPROVAL_ID, level: 1, previousDeadline: MEDIUM_L0_DEADLINE, newDeadline: MEDIUM_L1_DEADLINE, by: 'system:saga', at: MEDIUM_L0_DEADLINE } },
      'e-ext-1',
    );
    const outputs = saga.given([...history, levelReached(0, T0), timedOut, extended]).when(levelReached(1, MEDIUM_L0_DEADLINE));
    expect(outputs.map((o) => o.type === 'Notify' && [o.channel, o.level, o.severity, o.subject])).toEqual([
      ['pagerduty', 1, 'warning', `Approval ${APPROVAL_ID} escalated to level 1`],
      ['log', 1, 'warning', `Approval ${APPROVAL_ID} escalated to level 1`],
    ]);
    expect(outputs[0]).toMatchObject({ message: expect.stringContaining(`deadline ${MEDIUM_L1_DEADLINE}`) });
  });
});
