import { RISK_TIERS, RiskTier } from '@vigil/domain/remediation';

export interface SlackConfig {
  readonly token: string;
  readonly signingSecret: string;
  /** Web API base URL; default Slack's. */
  readonly apiUrl?: string;
  /** The channel each tier's approval cards go to. */
  readonly channels: Partial<Record<RiskTier, string>>;
  /** Cards of tiers without a channel of their own, and every other notice. */
  readonly defaultChannel?: string;
  /** Vigil's public URL, for "Open in Vigil" links. */
  readonly publicUrl?: string;
}

/**
 * Slack is on when SLACK_BOT_TOKEN is set; it then needs SLACK_SIGNING_SECRET (interactions are refused without
 * it) and at least one channel (SLACK_CHANNEL_<TIER> or SLACK_DEFAULT_CHANNEL). A half configuration stops start-up.
 */
export function slackConfigFrom(env: NodeJS.ProcessEnv): SlackConfig | undefined {
  const token = env.SLACK_BOT_TOKEN?.trim();
  if (!token) return undefined;
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim();
  if (!signingSecret) throw new Error('SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Slack interactions could not be verified');
  const channels: Partial<Record<RiskTier, string>> = {};
  for (const tier of RISK_TIERS) {
    const channel = env[`SLACK_CHANNEL_${tier.toUpperCase()}`]?.trim();
    if (channel) channels[tier] = channel;
  }
  const defaultChannel = env.SLACK_DEFAULT_CHANNEL?.trim() || undefined;
  if (!defaultChannel && Object.keys(channels).length === 0) throw new Error('SLACK_BOT_TOKEN is set but no channel is: set SLACK_DEFAULT_CHANNEL or SLACK_CHANNEL_<TIER>');
  const apiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (apiUrl && !/^https?:\/\/[^/]+/.test(apiUrl)) throw new Error(`SLACK_API_URL is not an http(s) URL: ${apiUrl}`);
  return {
    token,
    signingSecret,
    ...(apiUrl ? { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    channels,
    ...(defaultChannel ? { defaultChannel } : {}),
    ...(env.VIGIL_PUBLIC_URL?.trim() ? { publicUrl: env.VIGIL_PUBLIC_URL.trim().replace(/\/+$/, '') } : {}),
  };
}
