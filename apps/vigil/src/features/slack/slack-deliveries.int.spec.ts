import { ApprovalCardModel, SlackApi, SlackContractServer } from '@vigil/integrations/slack';
import { Notification } from '@vigil/notifications';
import { DeliveryTry } from '../deliveries/delivery-service';
import { IncidentLinks } from '../deliveries/incident-links';
import { SlackCard, SlackCards } from './slack-cards';
import { SlackDeliveries } from './slack-deliveries';

const APPROVAL_ID = '6f1d6c1e-0d1b-4f4e-9a51-2b7d1c0e5a01';
const card: ApprovalCardModel = {
  approvalId: APPROVAL_ID,
  status: 'pending',
  tier: 'medium',
  proposalId: 'p-1',
  proposalVersion: 1,
  actionHash: 'a'.repeat(64),
  action: { kind: 'argocd.rollback', target: 'argocd:payments', params: {} },
  proposer: 'alice',
  evidence: [],
  stillNeeded: ['team-lead'],
  votes: [],
};
jest.mock('./approval-card-loader', () => ({ loadApprovalCard: async () => card }));

/** slack_cards as the SQL behaves (a claim is taken over once stale), and a process that can die after posting. */
class CardsOfAProcessThatDies implements Pick<SlackCards, 'get' | 'claim' | 'posted' | 'release'> {
  private readonly rows = new Map<string, { channel: string | null; ts: string | null; claimedAt: number }>();
  diesBeforeRecording = false;

  async get(approvalId: string): Promise<SlackCard | undefined> {
    const row = this.rows.get(approvalId);
    return row ? { approvalId, channel: row.channel, ts: row.ts } : undefined;
  }

  async claim(approvalId: string, now: string, staleMs = 60_000): Promise<{ readonly takenOver: boolean } | undefined> {
    const row = this.rows.get(approvalId);
    if (row && (row.ts !== null || row.claimedAt >= Date.parse(now) - staleMs)) return undefined;
    this.rows.set(approvalId, { channel: null, ts: null, claimedAt: Date.parse(now) });
    return { takenOver: row !== undefined };
  }

  async posted(approvalId: string, channel: string, ts: string): Promise<void> {
    if (this.diesBeforeRecording) throw new Error('the process died after Slack took the card');
    this.rows.set(approvalId, { channel, ts, claimedAt: 0 });
  }

  async release(): Promise<void> {
    // A dead process releases nothing: its claim goes stale instead.
    if (!this.diesBeforeRecording) throw new Error('unexpected release');
  }
}

const notice = (level: number): Notification => ({
  key: `notice-${level}`,
  channel: 'slack',
  target: { role: 'team-lead', channel: 'slack' },
  subject: 'Approval needed',
  message: 'argocd.rollback on argocd:payments',
  severity: 'info',
  at: new Date().toISOString(),
  level,
  refs: level === 0 ? { approvalId: APPROVAL_ID } : {},
});
const firstTry = (deliveryId: string): DeliveryTry => ({ deliveryId, attempt: 1, requestedAt: new Date().toISOString(), retried: false });

describe('Slack deliveries after the process died between Slack taking a post and Vigil recording it', () => {
  let slack: SlackContractServer;
  let api: SlackApi;
  beforeEach(async () => {
    slack = await SlackContractServer.start({ channels: ['C-MEDIUM', 'C-OPS'] });
    api = new SlackApi({ token: slack.token, apiUrl: slack.apiUrl });
  });
  afterEach(() => slack?.close());

  it('takes over the dead claim and records the card already in the channel instead of posting a second', async () => {
    const cards = new CardsOfAProcessThatDies();
    let now = Date.now();
    const deliveries = new SlackDeliveries({ token: slack.token, signingSecret: 's', channels: { medium: 'C-MEDIUM' } }, api, cards as unknown as SlackCards, {} as IncidentLinks, () => new Date(now).toISOString());
    cards.diesBeforeRecording = true;
    await expect(deliveries.notice(notice(0), firstTry('notice:level-0:sre'))).rejects.toThrow('process died');
    cards.diesBeforeRecording = false;
    // Another level-0 target's first try, once the dead claim is stale: not a retry, but it must look.
    now += 2 * 60_000;
    const result = await deliveries.notice(notice(0), firstTry('notice:level-0:manager'));
    const posted = slack.topLevel('C-MEDIUM');
    expect(posted).toHaveLength(1);
    expect(result).toEqual({ externalRef: `slack:C-MEDIUM:${posted[0].ts}` });
    expect(await cards.get(APPROVAL_ID)).toMatchObject({ channel: 'C-MEDIUM', ts: posted[0].ts });
    expect(slack.calls('conversations.history')).toHaveLength(1);
  });

  it('posts a notice once when called again with the same delivery as a retried job, and looks only on the retry', async () => {
    const deliveries = new SlackDeliveries({ token: slack.token, signingSecret: 's', channels: {}, defaultChannel: 'C-OPS' }, api, new CardsOfAProcessThatDies() as unknown as SlackCards, {} as IncidentLinks);
    const attempt = firstTry('notice:level-1:sre');
    const first = await deliveries.notice(notice(1), attempt);
    expect(slack.calls('conversations.history')).toHaveLength(0);
    const again = await deliveries.notice(notice(1), { ...attempt, attempt: 2, retried: true });
    expect(again).toEqual(first);
    expect(slack.topLevel('C-OPS')).toHaveLength(1);
  });
});
