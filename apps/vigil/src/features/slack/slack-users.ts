import { ROLES, User, UsersRepository } from '@vigil/application';
import { SlackApi } from '@vigil/integrations/slack';

/**
 * Who a Slack user is in Vigil: the user whose configured Slack id matches (`vigil users add --slack-id`), else the
 * user whose email Slack's users.lookupByEmail resolves to that Slack id. Lookups are cached (positive and
 * negative) for `ttlMs`.
 */
export class SlackUserDirectory {
  private readonly cache = new Map<string, { slackId: string | undefined; until: number }>();

  constructor(
    private readonly users: UsersRepository,
    private readonly api: SlackApi,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  async vigilUserFor(slackUserId: string): Promise<User | undefined> {
    const configured = await this.users.findBySlackIdOrEmail(slackUserId, undefined);
    if (configured) return configured;
    const seen = new Set<string>();
    for (const role of ROLES) {
      for (const user of await this.users.withRole(role)) {
        if (seen.has(user.id) || !user.email || user.slackId) continue;
        seen.add(user.id);
        if ((await this.slackIdOf(user.email)) === slackUserId) return user;
      }
    }
    return undefined;
  }

  private async slackIdOf(email: string): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.slackId;
    const slackId = await this.api.lookupByEmail(email);
    this.cache.set(key, { slackId, until: Date.now() + this.ttlMs });
    return slackId;
  }
}
