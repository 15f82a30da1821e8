import { APPROVE_ACTION_ID, encodeVoteValue, REJECT_ACTION_ID, REJECT_MODAL_CALLBACK_ID, REJECT_REASON_ACTION_ID, REJECT_REASON_BLOCK_ID, VoteButtonValue } from '../approval-card';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, slackSignature } from '../signature';

let sequence = 0;

/** A trigger id shaped like Slack's (`<digits>.<digits>.<hex>`), unique per call. */
export const newTriggerId = (): string => `${Date.now()}.${++sequence}.${Math.random().toString(16).slice(2, 14)}`;

/** The form body and signed headers Slack sends to an interactivity Request URL. */
export function signedInteraction(
  signingSecret: string,
  payload: unknown,
  options: { timestampSeconds?: number; signature?: string } = {},
): { body: string; headers: Record<string, string> } {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      [SLACK_TIMESTAMP_HEADER]: timestamp,
      [SLACK_SIGNATURE_HEADER]: options.signature ?? slackSignature(signingSecret, timestamp, body),
    },
  };
}

/** A `block_actions` payload: a click on a card's Approve or Reject button. */
export function buttonClick(options: {
  action: 'approve' | 'reject';
  slackUserId: string;
  vote: VoteButtonValue;
  channel?: string;
  messageTs?: string;
  responseUrl?: string;
  triggerId?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: options.slackUserId, username: options.slackUserId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    team: { id: 'T0001', domain: 'vigil-test' },
    trigger_id: options.triggerId ?? newTriggerId(),
    ...(options.responseUrl ? { response_url: options.responseUrl } : {}),
    container: { type: 'message', ...(options.channel ? { channel_id: options.channel } : {}), ...(options.messageTs ? { message_ts: options.messageTs } : {}) },
    ...(options.channel ? { channel: { id: options.channel, name: 'approvals' } } : {}),
    ...(options.messageTs ? { message: { ts: options.messageTs, type: 'message' } } : {}),
    actions: [
      {
        type: 'button',
        block_id: 'vigil.vote',
        action_id: options.action === 'approve' ? APPROVE_ACTION_ID : REJECT_ACTION_ID,
        value: encodeVoteValue(options.vote),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A `view_submission` of the rejection modal Vigil opened (its private_metadata as views.open received it). */
export function rejectSubmission(options: { slackUserId: string; privateMetadata: string; reason: string; viewId?: string; triggerId?: string }): Record<string, unknown> {
  return {
    type: 'view_submission',
    user: { id: options.slackUserId, team_id: 'T0001' },
    api_app_id: 'A0001',
    trigger_id: options.triggerId ?? newTriggerId(),
    view: {
      id: options.viewId ?? `V${Date.now()}`,
      type: 'modal',
      callback_id: REJECT_MODAL_CALLBACK_ID,
      private_metadata: options.privateMetadata,
      hash: `${Date.now()}.abc`,
      state: { values: { [REJECT_REASON_BLOCK_ID]: { [REJECT_REASON_ACTION_ID]: { type: 'plain_text_input', value: options.reason } } } },
    },
  };
}
