import { APPROVE_ACTION_ID, ApprovalCardModel, decodeRejectModalContext, decodeVoteValue, encodeVoteValue, REJECT_ACTION_ID, rejectReasonModal, renderApprovalCard } from './approval-card';
import { parseSlackInteraction } from './interaction';
import { slackSignature, verifySlackRequest } from './signature';

const card: ApprovalCardModel = {
  approvalId: '6f1c2a1e-0000-4000-8000-000000000001',
  status: 'pending',
  tier: 'medium',
  proposalId: 'prop-1',
  proposalVersion: 2,
  actionHash: 'a'.repeat(64),
  action: { kind: 'argocd.rollback', target: 'argocd:payments', params: { toRevision: 'a1b2c3' } },
  rationale: 'error rate jumped <right> after the deploy & nothing else changed',
  proposer: 'alice',
  evidence: ['error_rate on payments POST /charge: expected 0.01, saw 0.3 (critical, score 12)', 'deployment: d4e5f6 rolled out 2 min before'],
  stillNeeded: ['team-lead'],
  votes: [],
  deadline: '2025-03-01T10:30:00.000Z',
  escalationLevel: 0,
};

describe('Slack request signatures', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

  it('accepts the signature Slack computes over v0:<timestamp>:<body>', () => {
    const timestamp = '1531420618';
    const signature = slackSignature(secret, timestamp, body);
    expect(signature).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verifySlackRequest(secret, { timestamp, signature }, body, { nowSeconds: 1531420618 + 10 })).toEqual({ ok: true });
  });

  it('refuses a forged signature, a changed body and a missing header', () => {
    const timestamp = '1531420618';
    const signature = slackSignature(secret, timestamp, body);
    const now = { nowSeconds: 1531420618 };
    expect(verifySlackRequest('another-secret', { timestamp, signature: slackSignature('another', timestamp, body) }, body, now)).toMatchObject({ ok: false, code: 'SLACK.SIGNATURE_MISMATCH' });
    expect(verifySlackRequest(secret, { timestamp, signature }, `${body}x`, now)).toMatchObject({ ok: false, code: 'SLACK.SIGNATURE_MISMATCH' });
    expect(verifySlackRequest(secret, { timestamp }, body, now)).toMatchObject({ ok: false, code: 'SLACK.SIGNATURE_MISSING' });
  });

  it('refuses a correctly signed request more than five minutes old (or ahead)', () => {
    const timestamp = '1000000';
    const signature = slackSignature(secret, timestamp, body);
    expect(verifySlackRequest(secret, { timestamp, signature }, body, { nowSeconds: 1000000 + 300 })).toEqual({ ok: true });
    expect(verifySlackRequest(secret, { timestamp, signature }, body, { nowSeconds: 1000000 + 360 })).toMatchObject({ ok: false, code: 'SLACK.TIMESTAMP_SKEW' });
    expect(verifySlackRequest(secret, { timestamp, signature }, body, { nowSeconds: 1000000 - 301 })).toMatchObject({ ok: false, code: 'SLACK.TIMESTAMP_SKEW' });
  });
});

describe('the approval card', () => {
  it('shows the action, target, params, tier, evidence, who still must approve and the deadline, with Approve and Reject buttons', () => {
    const { text, blocks } = renderApprovalCard(card);
    const json = JSON.stringify(blocks);
    expect(text).toBe('Approval needed (medium tier): argocd.rollback on argocd:payments');
    for (const expected of ['argocd.rollback', 'argocd:payments', 'toRevision', 'medium tier', 'a team-lead', 'expected 0.01, saw 0.3', '<!date^1740825000^', 'alice']) expect(json).toContain(expected);
    expect(json).toContain('&lt;right&gt; after the deploy &amp; nothing');
    const actions = blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([APPROVE_ACTION_ID, REJECT_ACTION_ID]);
    expect(decodeVoteValue(actions.elements[0].value)).toEqual({ approvalId: card.approvalId, proposalVersion: 2, actionHash: card.actionHash });
  });

  it('drops the buttons and says how it ended once the approval is closed', () => {
    const { blocks } = renderApprovalCard({ ...card, status: 'rejected', outcome: 'Rejected by lee: too risky at peak', votes: [{ by: 'lee', decision: 'reject', roles: ['team-lead'], reason: 'too risky at peak' }] });
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('Rejected by lee: too risky at peak');
  });

  it('asks for a rejection reason in a modal that carries the vote and where to answer', () => {
    const modal = rejectReasonModal({ approvalId: 'a-1', proposalVersion: 3, actionHash: 'h', responseUrl: 'https://hooks.slack.com/actions/1', channel: 'C1', messageTs: '1.2' }, 'k8s.scale on x');
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(decodeRejectModalContext(modal.private_metadata)).toEqual({ approvalId: 'a-1', proposalVersion: 3, actionHash: 'h', responseUrl: 'https://hooks.slack.com/actions/1', channel: 'C1', messageTs: '1.2' });
  });
});

describe('interaction payloads', () => {
  const value = encodeVoteValue({ approvalId: 'a-1', proposalVersion: 1, actionHash: 'h' });
  const click = (actionId: string) =>
    JSON.stringify({ type: 'block_actions', user: { id: 'U123' }, trigger_id: '111.222.abc', response_url: 'https://hooks.slack.com/actions/T/1/x', channel: { id: 'C1' }, message: { ts: '17.1' }, actions: [{ action_id: actionId, value, action_ts: '17.2' }] });

  it('reads Approve and Reject clicks, named by their trigger id', () => {
    expect(parseSlackInteraction(click(APPROVE_ACTION_ID))).toEqual({ kind: 'approve', id: 'block_actions:111.222.abc', slackUserId: 'U123', vote: { approvalId: 'a-1', proposalVersion: 1, actionHash: 'h' }, responseUrl: 'https://hooks.slack.com/actions/T/1/x' });
    expect(parseSlackInteraction(click(REJECT_ACTION_ID))).toMatchObject({ kind: 'open-reject', triggerId: '111.222.abc', channel: 'C1', messageTs: '17.1' });
  });

  it('reads the rejection modal with its reason', () => {
    const modal = rejectReasonModal({ approvalId: 'a-1', proposalVersion: 1, actionHash: 'h' }, 'x');
    const payload = JSON.stringify({ type: 'view_submission', user: { id: 'U9' }, trigger_id: '9.9.9', view: { id: 'V1', callback_id: modal.callback_id, private_metadata: modal.private_metadata, state: { values: { reason: { reason: { type: 'plain_text_input', value: ' too risky ' } } } } } });
    expect(parseSlackInteraction(payload)).toMatchObject({ kind: 'reject', id: 'view_submission:9.9.9', slackUserId: 'U9', reason: 'too risky', context: { approvalId: 'a-1' } });
  });

  it('refuses what is not a Vigil interaction', () => {
    expect(parseSlackInteraction(undefined)).toMatchObject({ kind: 'invalid' });
    expect(parseSlackInteraction('{not json')).toMatchObject({ kind: 'invalid' });
    expect(parseSlackInteraction(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, trigger_id: 't', actions: [{ action_id: APPROVE_ACTION_ID, value: 'nope' }] }))).toMatchObject({ kind: 'invalid' });
    expect(parseSlackInteraction(JSON.stringify({ type: 'shortcut' }))).toMatchObject({ kind: 'ignored' });
  });
});
