import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DomainError } from '@vigil/domain/shared';
import { Public } from '../../auth/roles.decorator';
import { SecurityAudit } from '../../auth/security-audit';
import { CorrelationId } from '../../http/request-context';
import { ZodPipe } from '../../http/zod-body';
import { tokenMatches } from '../alerts/alert-intake';
import { RawBodyRequest } from '../deliveries/raw-body';
import {
  ArgoNotification,
  argoNotificationSchema,
  fromArgoCd,
  fromGeneric,
  fromGithub,
  GenericChange,
  genericChangeSchema,
  githubDeploymentStatusSchema,
  githubSignatureMatches,
  ParsedChange,
} from './change-sources';
import { RecordChangeUseCase } from './usecases/record-change/record-change.usecase';

export const CHANGE_WEBHOOK_SECRETS = Symbol('ChangeWebhookSecrets');
export interface ChangeWebhookSecrets {
  /** Bearer token of /webhooks/changes and /webhooks/argocd (CHANGES_WEBHOOK_TOKEN). */
  readonly token?: string;
  /** GitHub webhook secret (GITHUB_WEBHOOK_SECRET). */
  readonly github?: string;
}

/**
 * Change events: `POST /webhooks/changes` (Vigil's JSON), `POST /webhooks/argocd` (ArgoCD notifications) and
 * `POST /webhooks/github` (`deployment_status`, signed with X-Hub-Signature-256). Each becomes DeploymentObserved
 * plus a ClickHouse `changes` row; redeliveries are recorded once. 202 with `ignored` for events that are not a
 * completed change (a failed sync, a pending deployment), so the source does not retry them.
 */
@ApiExcludeController()
@Controller('webhooks')
export class ChangesController {
  constructor(
    @Inject(CHANGE_WEBHOOK_SECRETS) private readonly secrets: ChangeWebhookSecrets,
    @Inject(SecurityAudit) private readonly audit: SecurityAudit,
    @Inject(RecordChangeUseCase) private readonly record: RecordChangeUseCase,
  ) {}

  @Post('changes')
  @Public()
  @HttpCode(202)
  async generic(@Headers('authorization') authorization: string | undefined, @Body(new ZodPipe(genericChangeSchema)) body: GenericChange, @CorrelationId() correlationId: string) {
    await this.requireToken('changes', authorization, correlationId);
    return this.recordParsed(fromGeneric(body), 'webhook:changes', correlationId);
  }

  @Post('argocd')
  @Public()
  @HttpCode(202)
  async argocd(@Headers('authorization') authorization: string | undefined, @Body(new ZodPipe(argoNotificationSchema)) body: ArgoNotification, @CorrelationId() correlationId: string) {
    await this.requireToken('argocd', authorization, correlationId);
    return this.recordParsed(fromArgoCd(body), 'webhook:argocd', correlationId);
  }

  @Post('github')
  @Public()
  @HttpCode(202)
  async github(@Req() request: RawBodyRequest, @Headers('x-github-event') event: string | undefined, @Headers('x-hub-signature-256') signature: string | undefined, @CorrelationId() correlationId: string) {
    const secret = this.secrets.github;
    if (!secret) throw new DomainError('CHANGES.NOT_CONFIGURED', 'not_found', 'the GitHub webhook is off: set GITHUB_WEBHOOK_SECRET');
    if (!request.rawBody || !githubSignatureMatches(secret, request.rawBody, signature)) {
      await this.refuse('github', 'WEBHOOK.BAD_SIGNATURE', correlationId);
      throw new DomainError('WEBHOOK.BAD_SIGNATURE', 'unauthenticated', 'X-Hub-Signature-256 does not match the body signed with the webhook secret');
    }
    if (event === 'ping') return { pong: true };
    if (event !== 'deployment_status') return { ignored: `event ${event ?? '(none)'} is not deployment_status` };
    const parsed = githubDeploymentStatusSchema.safeParse(request.body);
    if (!parsed.success) {
      throw new DomainError('VALIDATION.INVALID_BODY', 'invalid', 'not a deployment_status payload', { issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) });
    }
    return this.recordParsed(fromGithub(parsed.data), 'webhook:github', correlationId);
  }

  private async recordParsed(parsed: ParsedChange, actor: string, correlationId: string) {
    if (parsed.kind === 'ignored') return { ignored: parsed.reason };
    try {
      return await this.record.execute(parsed.change, { actor, correlationId, now: new Date().toISOString() });
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // The event is recorded idempotently; the source's retry completes the ClickHouse row.
      throw new DomainError('CHANGES.STORE_UNAVAILABLE', 'unavailable', `the change could not be stored yet; retry: ${(error as Error).message}`);
    }
  }

  private async requireToken(source: 'changes' | 'argocd', authorization: string | undefined, correlationId: string): Promise<void> {
    const token = this.secrets.token;
    if (!token) throw new DomainError('CHANGES.NOT_CONFIGURED', 'not_found', 'change webhooks are off: set CHANGES_WEBHOOK_TOKEN');
    if (!tokenMatches(token, authorization)) {
      await this.refuse(source, 'AUTH.UNAUTHENTICATED', correlationId);
      throw new DomainError('AUTH.UNAUTHENTICATED', 'unauthenticated', 'Send the change webhook token: Authorization: Bearer <CHANGES_WEBHOOK_TOKEN>');
    }
  }

  private async refuse(source: string, code: string, correlationId: string): Promise<void> {
    await this.audit.recordRefusal({ actor: `${source}:unverified`, code, method: 'POST', path: `/webhooks/${source}`, correlationId }).catch(() => undefined);
  }
}
