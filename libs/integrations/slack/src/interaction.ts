import { z } from 'zod';
import { APPROVE_ACTION_ID, decodeRejectModalContext, decodeVoteValue, REJECT_ACTION_ID, REJECT_MODAL_CALLBACK_ID, REJECT_REASON_ACTION_ID, REJECT_REASON_BLOCK_ID, RejectModalContext, VoteButtonValue } from './approval-card';

const user = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional(), team_id: z.string().optional() }).passthrough();

const blockActions = z
  .object({
    type: z.literal('block_actions'),
    user,
    trigger_id: z.string().min(1),
    response_url: z.string().url().optional(),
    channel: z.object({ id: z.string() }).passthrough().optional(),
    container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).passthrough().optional(),
    message: z.object({ ts: z.string() }).passthrough().optional(),
    actions: z.array(z.object({ action_id: z.string(), block_id: z.string().optional(), value: z.string().optional(), action_ts: z.string().optional() }).passthrough()).min(1),
  })
  .passthrough();

const viewSubmission = z
  .object({
    type: z.literal('view_submission'),
    user,
    trigger_id: z.string().optional(),
    view: z
      .object({
        id: z.string(),
        callback_id: z.string().optional(),
        private_metadata: z.string().optional(),
        hash: z.string().optional(),
        state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).passthrough())) }).passthrough().optional(),
      })
      .passthrough(),
  })
  .passthrough();

/** What Vigil does about one interaction. */
export type SlackInteraction =
  | { readonly kind: 'approve'; readonly id: string; readonly slackUserId: string; readonly vote: VoteButtonValue; readonly responseUrl?: string }
  | { readonly kind: 'open-reject'; readonly id: string; readonly slackUserId: string; readonly triggerId: string; readonly vote: VoteButtonValue; readonly responseUrl?: string; readonly channel?: string; readonly messageTs?: string }
  | { readonly kind: 'reject'; readonly id: string; readonly slackUserId: string; readonly context: RejectModalContext; readonly reason: string }
  | { readonly kind: 'ignored'; readonly id: string; readonly why: string };

/**
 * Reads the `payload` form field of an interactivity request. The `id` names the interaction for deduplication:
 * the trigger id Slack gives each click or submission (a retry of the same request carries the same one).
 */
export function parseSlackInteraction(payloadText: string | undefined): SlackInteraction | { readonly kind: 'invalid'; readonly why: string } {
  if (!payloadText) return { kind: 'invalid', why: 'no payload field' };
  let raw: unknown;
  try {
    raw = JSON.parse(payloadText);
  } catch {
    return { kind: 'invalid', why: 'payload is not JSON' };
  }
  const type = (raw as { type?: unknown } | null)?.type;
  if (type === 'block_actions') {
    const parsed = blockActions.safeParse(raw);
    if (!parsed.success) return { kind: 'invalid', why: `block_actions: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const p = parsed.data;
    const action = p.actions[0];
    const id = `block_actions:${p.trigger_id}`;
    const vote = decodeVoteValue(action.value);
    if (action.action_id !== APPROVE_ACTION_ID && action.action_id !== REJECT_ACTION_ID) return { kind: 'ignored', id, why: `action ${action.action_id}` };
    if (!vote) return { kind: 'invalid', why: 'the button value is not a Vigil vote' };
    if (action.action_id === APPROVE_ACTION_ID) return { kind: 'approve', id, slackUserId: p.user.id, vote, ...(p.response_url ? { responseUrl: p.response_url } : {}) };
    return {
      kind: 'open-reject',
      id,
      slackUserId: p.user.id,
      triggerId: p.trigger_id,
      vote,
      ...(p.response_url ? { responseUrl: p.response_url } : {}),
      ...((p.channel?.id ?? p.container?.channel_id) ? { channel: p.channel?.id ?? p.container?.channel_id } : {}),
      ...((p.message?.ts ?? p.container?.message_ts) ? { messageTs: p.message?.ts ?? p.container?.message_ts } : {}),
    };
  }
  if (type === 'view_submission') {
    const parsed = viewSubmission.safeParse(raw);
    if (!parsed.success) return { kind: 'invalid', why: `view_submission: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const p = parsed.data;
    const id = `view_submission:${p.trigger_id ?? `${p.view.id}:${p.view.hash ?? ''}`}`;
    if (p.view.callback_id !== REJECT_MODAL_CALLBACK_ID) return { kind: 'ignored', id, why: `view ${p.view.callback_id ?? 'without callback id'}` };
    let context: RejectModalContext | undefined;
    try {
      context = decodeRejectModalContext(p.view.private_metadata);
    } catch {
      context = undefined;
    }
    if (!context) return { kind: 'invalid', why: 'the modal does not carry a Vigil vote' };
    const reason = p.view.state?.values[REJECT_REASON_BLOCK_ID]?.[REJECT_REASON_ACTION_ID]?.value?.trim() ?? '';
    return { kind: 'reject', id, slackUserId: p.user.id, context, reason };
  }
  return { kind: 'ignored', id: `other:${String(type)}`, why: `interaction type ${String(type)}` };
}
