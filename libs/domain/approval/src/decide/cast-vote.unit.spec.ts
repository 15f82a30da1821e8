import { ApprovalEvent, VoteRefusalCode, VoteRefused } from '../events';
import { AFTER, DEADLINE, DURING, highRequested, lowRequested, spec, vote, voteCast } from '../spec-fixtures';

const refused = (events: ApprovalEvent[], code: VoteRefusalCode) =>
  events.length === 1 && events[0].type === 'VoteRefused' && (events[0] as VoteRefused).data.code === code;

describe('CastVote', () => {
  it('grants a high-tier approval once an SRE and a manager, two distinct people, approve', () => {
    spec.given([highRequested, voteCast('sam', ['sre'])]).when(vote('maria', ['manager'])).then([
      voteCast('maria', ['manager']),
      {
        type: 'ApprovalGranted',
        data: {
          approvalId: 'appr-1',
          proposalId: 'prop-1',
          proposalVersion: 2,
          actionHash: 'sha256:h2',
          approvers: [{ requirement: 0, by: 'sam' }, { requirement: 1, by: 'maria' }],
          at: DURING,
        },
      },
    ]);
  });

  it('does not grant a high-tier approval to one person holding both sre and manager: one person counts once', () => {
    spec.given([highRequested]).when(vote('pat', ['sre', 'manager'])).then([voteCast('pat', ['sre', 'manager'])]);
  });

  it('places each person where the approval can complete, whatever the order of the votes', () => {
    spec.given([highRequested, voteCast('pat', ['sre', 'manager'])]).when(vote('maria', ['manager'])).thenMatches(
      (events) => events[1]?.type === 'ApprovalGranted' && JSON.stringify(events[1].data.approvers) === JSON.stringify([{ requirement: 0, by: 'pat' }, { requirement: 1, by: 'maria' }]),
      'pat as the SRE and maria as the manager',
    );
  });

  it('does not count a second SRE towards the manager requirement', () => {
    spec.given([highRequested, voteCast('sam', ['sre'])]).when(vote('sue', ['sre'])).then([voteCast('sue', ['sre'])]);
  });

  it('grants a low-tier approval on one vote by anyone holding one of the listed roles', () => {
    spec.given([lowRequested]).when(vote('rita', ['responder'])).thenMatches(
      (events) => events.map((e) => e.type).join() === 'VoteCast,ApprovalGranted',
      'VoteCast then ApprovalGranted',
    );
  });

  it('refuses and records the AI proposer approving its own proposal (APPROVAL.SELF_APPROVAL)', () => {
    spec.given([highRequested]).when(vote('ai:investigator', ['sre'])).then([
      {
        type: 'VoteRefused',
        data: {
          approvalId: 'appr-1',
          by: 'ai:investigator',
          roles: ['sre'],
          decision: 'approve',
          proposalVersion: 2,
          actionHash: 'sha256:h2',
          code: 'APPROVAL.SELF_APPROVAL',
          message: 'ai:investigator proposed this action and cannot approve it',
          at: DURING,
        },
      },
    ]);
  });

  it('refuses and records a human proposer approving their own proposal, even holding the role', () => {
    spec.given([lowRequested]).when(vote('alice', ['team-lead'])).thenMatches((e) => refused(e, 'APPROVAL.SELF_APPROVAL'), 'SELF_APPROVAL');
  });

  it('checks self-approval before roles: a proposer without the role is told it is their own proposal', () => {
    spec.given([highRequested]).when(vote('ai:investigator', [])).thenMatches((e) => refused(e, 'APPROVAL.SELF_APPROVAL'), 'SELF_APPROVAL');
  });

  it('refuses and records a vote by an agent or a system component (APPROVAL.HUMAN_REQUIRED)', () => {
    spec.given([highRequested]).when(vote('ai:other-agent', ['sre'])).thenMatches((e) => refused(e, 'APPROVAL.HUMAN_REQUIRED'), 'HUMAN_REQUIRED');
  });

  it('refuses and records a vote by someone without a required role (APPROVAL.ROLE_REQUIRED)', () => {
    spec.given([highRequested]).when(vote('rita', ['responder'])).thenMatches((e) => refused(e, 'APPROVAL.ROLE_REQUIRED'), 'ROLE_REQUIRED');
  });

  it('refuses and records a second vote by the same person (APPROVAL.ALREADY_VOTED)', () => {
    spec.given([highRequested, voteCast('pat', ['sre', 'manager'])]).when(vote('pat', ['sre', 'manager'])).thenMatches(
      (e) => refused(e, 'APPROVAL.ALREADY_VOTED'),
      'ALREADY_VOTED',
    );
  });

  it('refuses and records a vote after the deadline (APPROVAL.EXPIRED)', () => {
    spec.given([highRequested]).when(vote('sam', ['sre'], { now: AFTER })).thenMatches((e) => refused(e, 'APPROVAL.EXPIRED'), 'EXPIRED');
  });

  it('treats the deadline itself as past', () => {
    spec.given([highRequested]).when(vote('sam', ['sre'], { now: DEADLINE })).thenMatches((e) => refused(e, 'APPROVAL.EXPIRED'), 'EXPIRED');
  });

  it('refuses and records a vote on a stale proposal version (APPROVAL.STALE_VERSION)', () => {
    spec.given([highRequested]).when(vote('sam', ['sre'], { proposalVersion: 1 })).thenMatches((e) => refused(e, 'APPROVAL.STALE_VERSION'), 'STALE_VERSION');
  });

  it('refuses and records a vote for a different action hash (APPROVAL.STALE_VERSION)', () => {
    spec.given([highRequested]).when(vote('sam', ['sre'], { actionHash: 'sha256:other' })).thenMatches(
      (e) => refused(e, 'APPROVAL.STALE_VERSION'),
      'STALE_VERSION',
    );
  });

  it('refuses and records a vote on a closed approval (APPROVAL.CLOSED)', () => {
    spec.given([highRequested, voteCast('sam', ['sre'], { decision: 'reject', reason: 'wrong node' }),
      { type: 'ApprovalRejected', data: { approvalId: 'appr-1', proposalId: 'prop-1', by: 'sam', reason: 'wrong node', at: DURING } }])
      .when(vote('maria', ['manager']))
      .thenMatches((e) => refused(e, 'APPROVAL.CLOSED'), 'CLOSED');
  });

  it('rejects the approval on a reject by a required approver, with the reason', () => {
    spec.given([highRequested, voteCast('sam', ['sre'])]).when(vote('maria', ['manager'], { decision: 'reject', reason: 'failover during the batch window' })).then([
      voteCast('maria', ['manager'], { decision: 'reject', reason: 'failover during the batch window' }),
      { type: 'ApprovalRejected', data: { approvalId: 'appr-1', proposalId: 'prop-1', by: 'maria', reason: 'failover during the batch window', at: DURING } },
    ]);
  });

  it('throws APPROVAL.REASON_REQUIRED for a reject without a reason, appending nothing', () => {
    spec.given([highRequested]).when(vote('sam', ['sre'], { decision: 'reject', reason: '  ' })).thenThrows('APPROVAL.REASON_REQUIRED');
  });

  it('approving with modifications records them and cancels the approval for a new version instead of granting it', () => {
    spec.given([lowRequested]).when(vote('rita', ['responder'], { modifications: { replicas: 4 } })).then([
      voteCast('rita', ['responder'], { modifications: { replicas: 4 } }),
      {
        type: 'ApprovalCancelled',
        data: { approvalId: 'appr-1', proposalId: 'prop-1', reason: 'modified', by: 'rita', modifications: { replicas: 4 }, at: DURING },
      },
    ]);
  });

  it('treats empty modifications as a plain approval', () => {
    spec.given([lowRequested]).when(vote('rita', ['responder'], { modifications: {} })).thenMatches(
      (events) => events[1]?.type === 'ApprovalGranted',
      'a grant',
    );
  });

  it('accepts a vote after the deadline was extended for the next escalation level', () => {
    spec.given([
      highRequested,
      { type: 'ApprovalTimedOut', data: { approvalId: 'appr-1', proposalId: 'prop-1', level: 0, deadline: DEADLINE, at: DEADLINE } },
      { type: 'ApprovalDeadlineExtended', data: { approvalId: 'appr-1', level: 1, previousDeadline: DEADLINE, newDeadline: '2025-03-01T12:00:00.000Z', by: 'system:saga', at: DEADLINE } },
    ]).when(vote('sam', ['sre'], { now: AFTER })).then([voteCast('sam', ['sre'], { now: AFTER })]);
  });

  it('throws APPROVAL.NOT_FOUND for a vote on an approval that was never requested', () => {
    spec.given([]).when(vote('sam', ['sre'])).thenThrows('APPROVAL.NOT_FOUND');
  });
});
