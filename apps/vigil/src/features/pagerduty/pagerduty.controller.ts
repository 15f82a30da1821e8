import { Body, Controller, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../auth/roles.decorator';
import { CorrelationId } from '../../http/request-context';
import { RawBodyRequest } from '../deliveries/raw-body';
import { PagerDutyWebhooks } from './pagerduty-webhooks';

/** PagerDuty v3 webhook subscription endpoint. Public: each delivery is signed with PAGERDUTY_WEBHOOK_SECRET. */
@ApiExcludeController()
@Controller('webhooks/pagerduty')
export class PagerDutyController {
  constructor(@Optional() @Inject(PagerDutyWebhooks) private readonly webhooks?: PagerDutyWebhooks) {}

  @Post()
  @Public()
  async receive(@Req() request: RawBodyRequest, @Body() body: unknown, @Res() response: Response, @CorrelationId() correlationId: string): Promise<void> {
    if (!this.webhooks) {
      response.status(404).json({ code: 'PAGERDUTY.NOT_CONFIGURED', message: 'set PAGERDUTY_WEBHOOK_SECRET to accept PagerDuty webhooks' });
      return;
    }
    const answer = await this.webhooks.receive(request.rawBody, request.headers, body, correlationId);
    response.status(answer.status).json(answer.body);
  }
}
