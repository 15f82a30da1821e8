import { Body, Controller, Headers, HttpCode, Inject, Optional, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DomainError } from '@vigil/domain/shared';
import { Public } from '../../auth/roles.decorator';
import { CorrelationId } from '../../http/request-context';
import { ZodPipe } from '../../http/zod-body';
import { SecurityAudit } from '../../auth/security-audit';
import { AlertIntake, AlertSource, AlertWebhook, alertWebhookSchema, tokenMatches } from './alert-intake';

export const ALERT_TOKENS = Symbol('AlertTokens');
export type AlertTokens = Partial<Record<AlertSource, string>>;

/**
 * Alert intake: `POST /webhooks/alertmanager` (Alertmanager webhook_config, payload version 4) and
 * `POST /webhooks/grafana` (Grafana alerting webhook contact point). Authenticated by a shared bearer token per
 * source (ALERTMANAGER_WEBHOOK_TOKEN, GRAFANA_WEBHOOK_TOKEN: `http_config.authorization.credentials` in
 * Alertmanager, "Authorization header" credentials in Grafana); off when its token is unset.
 */
@ApiExcludeController()
@Controller('webhooks')
export class AlertsController {
  constructor(
    @Inject(ALERT_TOKENS) private readonly tokens: AlertTokens,
    @Inject(SecurityAudit) private readonly audit: SecurityAudit,
    @Optional() @Inject(AlertIntake) private readonly intake?: AlertIntake,
  ) {}

  @Post('alertmanager')
  @Public()
  @HttpCode(200)
  alertmanager(@Headers('authorization') authorization: string | undefined, @Body(new ZodPipe(alertWebhookSchema)) body: AlertWebhook, @CorrelationId() correlationId: string) {
    return this.receive('alertmanager', authorization, body, correlationId);
  }

  @Post('grafana')
  @Public()
  @HttpCode(200)
  grafana(@Headers('authorization') authorization: string | undefined, @Body(new ZodPipe(alertWebhookSchema)) body: AlertWebhook, @CorrelationId() correlationId: string) {
    return this.receive('grafana', authorization, body, correlationId);
  }

  private async receive(source: AlertSource, authorization: string | undefined, body: AlertWebhook, correlationId: string) {
    const token = this.tokens[source];
    if (!token || !this.intake) throw new DomainError('ALERTS.NOT_CONFIGURED', 'not_found', `${source} intake is off: set ${source === 'alertmanager' ? 'ALERTMANAGER' : 'GRAFANA'}_WEBHOOK_TOKEN`);
    if (!tokenMatches(token, authorization)) {
      await this.audit.recordRefusal({ actor: `${source}:unverified`, code: 'AUTH.UNAUTHENTICATED', method: 'POST', path: `/webhooks/${source}`, correlationId }).catch(() => undefined);
      throw new DomainError('AUTH.UNAUTHENTICATED', 'unauthenticated', `Send the ${source} webhook token: Authorization: Bearer <token>`);
    }
    return { alerts: await this.intake.receive(source, body, correlationId) };
  }
}
