import { KnownBlock, ModalView } from '@slack/web-api';

/** What the approval card shows: everything an approver needs to decide, and what exactly they approve. */
export interface ApprovalCardModel {
  readonly approvalId: string;
  readonly status: 'pending' | 'granted' | 'rejected' | 'cancelled' | 'expired';
  readonly tier: string;
  readonly proposalId: string;
  readonly proposalVersion: number;
  /** The hash of the exact action: a click votes for this hash, so a card left over from an older version is refused. */
  readonly actionHash: string;
  readonly action?: { readonly kind: string; readonly target: string; readonly params: Readonly<Record<string, unknown>> };
  readonly rationale?: string;
  readonly proposer: string;
  /** One line each: the anomaly, findings, dry run. */
  readonly evidence: readonly string[];
  /** Requirements nobody has met yet, e.g. `team-lead`, `sre or manager`. */
  readonly stillNeeded: readonly string[];
  readonly votes: readonly { readonly by: string; readonly decision: 'approve' | 'reject'; readonly roles: readonly string[]; readonly reason?: string }[];
  /** ISO instant; shown while pending. */
  readonly deadline?: string;
  readonly escalationLevel?: number;
  /** How it ended, for a closed card (`Rejected by lee: too risky`). */
  readonly outcome?: string;
  /** Link to the approval in Vigil's console, when a public URL is configured. */
  readonly consoleUrl?: string;
}

export const APPROVE_ACTION_ID = 'vigil.approve';
export const REJECT_ACTION_ID = 'vigil.reject';
export const VOTE_BLOCK_ID = 'vigil.vote';
export const REJECT_MODAL_CALLBACK_ID = 'vigil.reject';
export const REJECT_REASON_BLOCK_ID = 'reason';
export const REJECT_REASON_ACTION_ID = 'reason';

/** The button value: which approval, and exactly what the approver saw (version and action hash). */
export interface VoteButtonValue {
  readonly approvalId: string;
  readonly proposalVersion: number;
  readonly actionHash: string;
}

export const encodeVoteValue = (value: VoteButtonValue): string => JSON.stringify({ a: value.approvalId, v: value.proposalVersion, h: value.actionHash });

export function decodeVoteValue(text: string | undefined): VoteButtonValue | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { a?: unknown; v?: unknown; h?: unknown };
    if (typeof parsed.a !== 'string' || !Number.isInteger(parsed.v) || typeof parsed.h !== 'string') return undefined;
    return { approvalId: parsed.a, proposalVersion: parsed.v as number, actionHash: parsed.h };
  } catch {
    return undefined;
  }
}

const STATUS_TITLE: Record<ApprovalCardModel['status'], string> = {
  pending: 'Approval needed',
  granted: 'Approved',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired: nobody decided',
};
const STATUS_ICON: Record<ApprovalCardModel['status'], string> = { pending: ':hourglass_flowing_sand:', granted: ':white_check_mark:', rejected: ':x:', cancelled: ':no_entry_sign:', expired: ':alarm_clock:' };

/** Slack's limits: 3000 characters in a section text, 2000 in a field, 150 in a header. */
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  // Rendered in each reader's own time zone, with the ISO time as the fallback text.
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

/** The Block Kit approval card (and its fallback text for notifications and screen readers). */
export function renderApprovalCard(card: ApprovalCardModel): { text: string; blocks: KnownBlock[] } {
  const action = card.action;
  const what = action ? `${action.kind} on ${action.target}` : `proposal ${card.proposalId} v${card.proposalVersion}`;
  const text = `${STATUS_TITLE[card.status]} (${card.tier} tier): ${what}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${STATUS_TITLE[card.status]} · ${card.tier} tier`, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: clip(`*Action*\n\`${escapeMrkdwn(action?.kind ?? 'unknown')}\``, 2000) },
        { type: 'mrkdwn', text: clip(`*Target*\n\`${escapeMrkdwn(action?.target ?? 'unknown')}\``, 2000) },
        { type: 'mrkdwn', text: clip(`*Tier*\n${escapeMrkdwn(card.tier)}`, 2000) },
        { type: 'mrkdwn', text: clip(`*Proposed by*\n${escapeMrkdwn(card.proposer)}`, 2000) },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Parameters*\n\`\`\`${escapeMrkdwn(JSON.stringify(action?.params ?? {}, null, 2))}\`\`\``, 3000) } },
  ];
  if (card.rationale) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Why*\n${escapeMrkdwn(card.rationale)}`, 3000) } });
  if (card.evidence.length) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Evidence*\n${card.evidence.map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`, 3000) } });
  }
  const votes = card.votes.map((v) => `${v.decision === 'approve' ? ':white_check_mark:' : ':x:'} ${escapeMrkdwn(v.by)} (${escapeMrkdwn(v.roles.join(', '))})${v.reason ? `: ${escapeMrkdwn(v.reason)}` : ''}`);
  const needed = card.status === 'pending' ? (card.stillNeeded.length ? card.stillNeeded.map((r) => `a ${escapeMrkdwn(r)}`).join(' and ') : 'nobody: deciding now') : '—';
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: clip(`*Still needs*\n${needed}`, 2000) },
      { type: 'mrkdwn', text: clip(`*Votes*\n${votes.length ? votes.join('\n') : 'none yet'}`, 2000) },
    ],
  });
  if (card.status === 'pending') {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            [
              card.deadline ? `:alarm_clock: Deadline ${slackDate(card.deadline)}` : undefined,
              card.escalationLevel !== undefined ? `escalation level ${card.escalationLevel}` : undefined,
              `proposal ${card.proposalId} v${card.proposalVersion}`,
              `action hash \`${card.actionHash.slice(0, 12)}\``,
            ]
              .filter(Boolean)
              .join(' · '),
            2000,
          ),
        },
      ],
    });
    const value = encodeVoteValue(card);
    blocks.push({
      type: 'actions',
      block_id: VOTE_BLOCK_ID,
      elements: [
        { type: 'button', action_id: APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value },
        { type: 'button', action_id: REJECT_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: 'Reject…' }, value },
        ...(card.consoleUrl ? [{ type: 'button' as const, action_id: 'vigil.open', text: { type: 'plain_text' as const, text: 'Open in Vigil' }, url: card.consoleUrl }] : []),
      ],
    });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${STATUS_ICON[card.status]} ${escapeMrkdwn(card.outcome ?? STATUS_TITLE[card.status])}`, 2000) }] });
  }
  return { text, blocks };
}

/** Where a rejection came from, carried through the modal so the answer can reach the person who clicked. */
export interface RejectModalContext extends VoteButtonValue {
  readonly responseUrl?: string;
  readonly channel?: string;
  readonly messageTs?: string;
}

/** The modal that asks for the reason of a rejection (a reject without a reason is not a ballot). */
export function rejectReasonModal(context: RejectModalContext, what: string): ModalView {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify({ ...encodeValue(context), r: context.responseUrl, c: context.channel, t: context.messageTs }),
    title: { type: 'plain_text', text: 'Reject proposal' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`You are rejecting *${escapeMrkdwn(what)}*. The reason goes back to the investigation.`, 3000) } },
      {
        type: 'input',
        block_id: REJECT_REASON_BLOCK_ID,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: REJECT_REASON_ACTION_ID, multiline: true, min_length: 1, max_length: 2000 },
      },
    ],
  };
}

const encodeValue = (value: VoteButtonValue) => ({ a: value.approvalId, v: value.proposalVersion, h: value.actionHash });

export function decodeRejectModalContext(privateMetadata: string | undefined): RejectModalContext | undefined {
  const vote = decodeVoteValue(privateMetadata);
  if (!vote || !privateMetadata) return undefined;
  const parsed = JSON.parse(privateMetadata) as { r?: unknown; c?: unknown; t?: unknown };
  return {
    ...vote,
    ...(typeof parsed.r === 'string' ? { responseUrl: parsed.r } : {}),
    ...(typeof parsed.c === 'string' ? { channel: parsed.c } : {}),
    ...(typeof parsed.t === 'string' ? { messageTs: parsed.t } : {}),
  };
}
