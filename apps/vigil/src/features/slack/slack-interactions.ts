import { Pool } from 'pg';
import { MUTATING_ROLES, User } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import { parseSlackInteraction, rejectReasonModal, SLACK_RETRY_NUM_HEADER, SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, SlackApi, SlackInteraction, verifySlackRequest } from '@vigil/integrations/slack';
import { SagaLogger, silentLogger, within } from '@vigil/saga-host';
import { SecurityAudit } from '../../auth/security-audit';
import { CastVoteUseCase } from '../approvals/usecases/cast-vote/cast-vote.usecase';
import { DeliveryService } from '../deliveries/delivery-service';
import { IncidentLinks } from '../deliveries/incident-links';
import { actionAt } from '@vigil/domain/approval-saga';
import { SlackConfig } from './slack-config';
import { SlackUserDirectory } from './slack-users';

export const SLACK_INTERACTIONS_PATH = '/webhooks/slack/interactions';

export interface SlackAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * The Slack interactivity endpoint's work. `receive` answers at once (Slack wants an answer within 3 s): it checks
 * the signature and the timestamp, refuses a replay, and acknowledges; the vote is then cast in the background
 * through CastVoteUseCase — the API's own command path and rules (self-approval, roles, stale version, deadline),
 * with refused votes recorded as VoteRefused — and the outcome reaches the person as an ephemeral message.
 * Refused requests (bad signature, stale timestamp, replay, unknown or unauthorised Slack user) are audited.
 */
export class SlackInteractions {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly config: SlackConfig,
    private readonly api: SlackApi,
    private readonly directory: SlackUserDirectory,
    private readonly castVote: CastVoteUseCase,
    private readonly audit: SecurityAudit,
    private readonly deliveries: DeliveryService,
    private readonly links: IncidentLinks,
    private readonly pool: Pool,
    private readonly logger: SagaLogger = silentLogger,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  async receive(rawBody: Buffer | undefined, headers: Record<string, string | string[] | undefined>, correlationId: string): Promise<SlackAnswer> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const body = rawBody ?? Buffer.alloc(0);
    const check = verifySlackRequest(this.config.signingSecret, { timestamp: header(SLACK_TIMESTAMP_HEADER), signature: header(SLACK_SIGNATURE_HEADER) }, body);
    if (!check.ok) {
      await this.refuse({ actor: 'slack:unverified', code: check.code, correlationId });
      return { status: 401, body: { code: check.code, message: check.message } };
    }
    const interaction = parseSlackInteraction(new URLSearchParams(body.toString('utf8')).get('payload') ?? undefined);
    if (interaction.kind === 'invalid') return { status: 400, body: { code: 'SLACK.INVALID_PAYLOAD', message: interaction.why } };
    if (interaction.kind === 'ignored') return { status: 200, body: {} };
    if (interaction.kind === 'reject' && !interaction.reason) {
      return { status: 200, body: { response_action: 'errors', errors: { reason: 'A rejection needs a reason.' } } };
    }
    const fresh = await this.pool.query(`INSERT INTO slack_interactions (id, slack_user_id, kind, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [
      interaction.id,
      interaction.slackUserId,
      interaction.kind,
      this.clock(),
    ]);
    if ((fresh.rowCount ?? 0) === 0) {
      if (header(SLACK_RETRY_NUM_HEADER) !== undefined) return { status: 200, body: {} }; // Slack retrying: already being handled
      await this.refuse({ actor: `slack:${interaction.slackUserId}`, code: 'SLACK.REPLAYED', correlationId });
      return { status: 409, body: { code: 'SLACK.REPLAYED', message: 'this interaction was already received; it is not acted on twice' } };
    }
    this.track(this.act(interaction, correlationId));
    return { status: 200, body: {} };
  }

  /** Waits for background work (for shutdown and specs). */
  async drain(timeoutMs = 5000): Promise<void> {
    await within(Promise.allSettled([...this.inFlight]), timeoutMs);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.error({ err: error }, 'slack interaction failed')).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async act(interaction: Exclude<SlackInteraction, { kind: 'ignored' }>, correlationId: string): Promise<void> {
    const responseUrl = interaction.kind === 'reject' ? interaction.context.responseUrl : interaction.responseUrl;
    const tell = (text: string) => (responseUrl ? this.respond(interaction.id, responseUrl, text) : Promise.resolve());
    let user: User | undefined;
    try {
      user = await this.directory.vigilUserFor(interaction.slackUserId);
    } catch (error) {
      this.logger.warn({ err: error, slackUserId: interaction.slackUserId }, 'could not look the Slack user up');
      await tell(`Vigil could not check who you are right now (${(error as Error).message}). Nothing was recorded; try again in a moment.`);
      return;
    }
    if (!user || user.disabled) {
      await this.refuse({ actor: `slack:${interaction.slackUserId}`, code: 'SLACK.UNKNOWN_USER', correlationId });
      await tell(`Your Slack account <@${interaction.slackUserId}> is not linked to an active Vigil user, so nothing was recorded. Ask a Vigil admin to register your Slack id, or use the same email address in Slack and Vigil.`);
      return;
    }
    if (!user.roles.some((role) => MUTATING_ROLES.includes(role))) {
      await this.refuse({ actor: user.id, code: 'AUTH.FORBIDDEN', correlationId, requiredRoles: MUTATING_ROLES, heldRoles: user.roles });
      await tell(`You (${user.id}) hold ${user.roles.join(', ') || 'no roles'}; voting needs one of ${MUTATING_ROLES.join(', ')}. Nothing was recorded.`);
      return;
    }
    if (interaction.kind === 'open-reject') {
      const what = await this.describe(interaction.vote.approvalId, interaction.vote.proposalVersion);
      try {
        await this.api.openView(interaction.triggerId, rejectReasonModal({ ...interaction.vote, responseUrl: interaction.responseUrl, channel: interaction.channel, messageTs: interaction.messageTs }, what));
      } catch (error) {
        await tell(`Could not open the rejection form (${(error as Error).message}); reject from the Vigil console instead.`);
      }
      return;
    }
    const vote = interaction.kind === 'approve' ? interaction.vote : interaction.context;
    const decision = interaction.kind === 'approve' ? 'approve' : 'reject';
    try {
      const result = await this.castVote.execute({
        approvalId: vote.approvalId,
        voter: user,
        decision,
        ...(interaction.kind === 'reject' ? { reason: interaction.reason } : {}),
        proposalVersion: vote.proposalVersion,
        actionHash: vote.actionHash,
        idempotencyKey: `slack:${interaction.id}`.slice(0, 128),
        correlationId,
        now: this.clock(),
      });
      const what = await this.describe(vote.approvalId, vote.proposalVersion);
      await tell(`Your ${decision === 'approve' ? 'approval' : 'rejection'} of ${what} was recorded; the approval is now ${result.status}.`);
    } catch (error) {
      if (error instanceof DomainError) {
        await tell(`Your vote was not counted: ${error.message} (${error.code}). The attempt is in the audit log.`);
        return;
      }
      throw error;
    }
  }

  private async describe(approvalId: string, version: number): Promise<string> {
    const proposal = await this.links.proposalOfApproval(approvalId).catch(() => undefined);
    const action = proposal ? actionAt(proposal, version) : undefined;
    return action ? `${action.kind} on ${action.target}` : `approval ${approvalId}`;
  }

  private async respond(interactionId: string, responseUrl: string, text: string): Promise<void> {
    await this.deliveries.enqueue({ id: `slack.respond:${interactionId}:${text.length}:${text.slice(0, 40)}`, channel: 'slack', kind: 'slack.respond', payload: { responseUrl, text } });
  }

  private async refuse(refusal: { actor: string; code: string; correlationId: string; requiredRoles?: readonly string[]; heldRoles?: readonly string[] }): Promise<void> {
    try {
      await this.audit.recordRefusal({ ...refusal, method: 'POST', path: SLACK_INTERACTIONS_PATH });
    } catch (error) {
      this.logger.error({ err: error }, 'could not audit a refused Slack interaction');
    }
  }
}
