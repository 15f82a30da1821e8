import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ChangeFacts } from '@vigil/domain/change';
import { DomainError } from '@vigil/domain/shared';

/** What a change webhook turned into: a change to record, or a reason it is not one (acknowledged, not stored). */
export type ParsedChange = { readonly kind: 'change'; readonly change: ChangeFacts } | { readonly kind: 'ignored'; readonly reason: string };

const text = z.string().trim().min(1).max(512);
const instant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 instant');

/** `POST /webhooks/changes`: Vigil's own JSON shape for any CD system or script. */
export const genericChangeSchema = z.object({
  id: text.optional(),
  service: text,
  environment: text.default('production'),
  kind: text.default('deployment'),
  revision: text,
  previousRevision: text.optional(),
  source: text.default('webhook'),
  at: instant,
  description: z.string().max(4000).optional(),
  url: z.string().url().max(2000).optional(),
});
export type GenericChange = z.infer<typeof genericChangeSchema>;

export function fromGeneric(body: GenericChange): ParsedChange {
  const at = new Date(body.at).toISOString();
  const changeId = body.id ?? `${body.source}:${body.service}:${body.environment}:${body.revision}:${at}`;
  return { kind: 'change', change: clean({ ...body, at, changeId }) };
}

const argoApplication = z.object({
  metadata: z.object({ name: text, namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() }),
  spec: z.object({ destination: z.object({ namespace: z.string().optional(), name: z.string().optional() }).partial().optional() }).partial().optional(),
  status: z.object({
    sync: z.object({ revision: z.string().optional() }).partial().optional(),
    operationState: z.object({ phase: z.string().optional(), finishedAt: z.string().optional(), startedAt: z.string().optional(), syncResult: z.object({ revision: z.string().optional() }).partial().optional() }).partial().optional(),
    history: z.array(z.object({ id: z.number().optional(), revision: z.string().optional(), deployedAt: z.string().optional() }).partial()).optional(),
  }).partial().optional(),
});

/**
 * `POST /webhooks/argocd`: an ArgoCD notifications webhook whose template sends the Application (see
 * docs/integrations.md: `body: '{"app": {{toJson .app}}}'`, or `"context"` too). A sync is a change once its
 * operation Succeeded; the service is the `vigil.io/service` annotation, else `app.kubernetes.io/name`, else the app.
 */
export const argoNotificationSchema = z.object({ app: argoApplication, environment: z.string().optional() }).passthrough();
export type ArgoNotification = z.infer<typeof argoNotificationSchema>;

export function fromArgoCd(body: ArgoNotification): ParsedChange {
  const { metadata, status, spec } = body.app;
  const operation = status?.operationState;
  if (operation?.phase && operation.phase !== 'Succeeded') return { kind: 'ignored', reason: `sync phase ${operation.phase}` };
  const revision = operation?.syncResult?.revision ?? status?.sync?.revision;
  if (!revision) return { kind: 'ignored', reason: 'the application has no synced revision' };
  const history = status?.history ?? [];
  const latest = history[history.length - 1];
  const previous = [...history].reverse().find((entry) => entry.revision && entry.revision !== revision)?.revision;
  const at = operation?.finishedAt ?? latest?.deployedAt;
  if (!at || Number.isNaN(Date.parse(at))) throw new DomainError('CHANGE.INVALID_INPUT', 'invalid', 'the notification has no operationState.finishedAt or history deployedAt');
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  const service = annotations['vigil.io/service'] ?? labels['app.kubernetes.io/name'] ?? metadata.name;
  const environment = body.environment ?? annotations['vigil.io/environment'] ?? labels.environment ?? spec?.destination?.namespace ?? 'production';
  const iso = new Date(at).toISOString();
  return {
    kind: 'change',
    change: clean({
      changeId: `argocd:${metadata.namespace ?? 'argocd'}/${metadata.name}:${latest?.id ?? revision}:${iso}`,
      service,
      environment,
      kind: 'deployment',
      revision,
      previousRevision: previous,
      source: 'argocd',
      at: iso,
      description: `ArgoCD synced ${metadata.name} to ${revision}`,
    }),
  };
}

/** Verifies `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` in constant time. */
export function githubSignatureMatches(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

export const githubDeploymentStatusSchema = z.object({
  deployment_status: z.object({ id: z.number(), state: z.string(), environment: z.string().optional(), created_at: instant, description: z.string().nullish(), target_url: z.string().nullish(), log_url: z.string().nullish(), environment_url: z.string().nullish() }),
  deployment: z.object({ id: z.number(), sha: text, ref: z.string().optional(), environment: z.string().optional(), payload: z.union([z.record(z.string(), z.unknown()), z.string()]).optional() }),
  repository: z.object({ name: text, full_name: text }),
});
export type GithubDeploymentStatus = z.infer<typeof githubDeploymentStatusSchema>;

/**
 * GitHub `deployment_status`: a deployment is a change once its status is `success`. The service is
 * `deployment.payload.service` when the workflow sets it, else the repository name; the change id is the
 * deployment's, so the success of one deployment is one change however often GitHub redelivers it.
 */
export function fromGithub(body: GithubDeploymentStatus): ParsedChange {
  const { deployment_status: status, deployment, repository } = body;
  if (status.state !== 'success') return { kind: 'ignored', reason: `deployment status ${status.state}` };
  const payload = typeof deployment.payload === 'object' ? deployment.payload : {};
  const service = typeof payload.service === 'string' && payload.service ? payload.service : repository.name;
  const previous = typeof payload.previous_sha === 'string' ? payload.previous_sha : undefined;
  const url = status.environment_url ?? status.target_url ?? status.log_url ?? undefined;
  return {
    kind: 'change',
    change: clean({
      changeId: `github:${repository.full_name}:deployment:${deployment.id}`,
      service,
      environment: status.environment ?? deployment.environment ?? 'production',
      kind: 'deployment',
      revision: deployment.sha,
      previousRevision: previous,
      source: 'github',
      at: new Date(status.created_at).toISOString(),
      description: status.description ?? `${repository.full_name}@${deployment.sha.slice(0, 12)} deployed${deployment.ref ? ` from ${deployment.ref}` : ''}`,
      url: url && /^https?:\/\//.test(url) ? url : undefined,
    }),
  };
}

/** Drops undefined optionals so the event carries only what the source said. */
function clean(change: Omit<ChangeFacts, 'previousRevision' | 'description' | 'url'> & { previousRevision?: string; description?: string; url?: string }): ChangeFacts {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as unknown as ChangeFacts;
}
