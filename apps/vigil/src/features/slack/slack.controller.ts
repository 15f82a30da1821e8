import { Controller, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../auth/roles.decorator';
import { CorrelationId } from '../../http/request-context';
import { RawBodyRequest } from '../deliveries/raw-body';
import { SlackInteractions } from './slack-interactions';

/** Slack's interactivity Request URL. Public: Slack signs every request, and the signature is checked here. */
@ApiExcludeController()
@Controller('webhooks/slack')
export class SlackController {
  constructor(@Optional() @Inject(SlackInteractions) private readonly interactions?: SlackInteractions) {}

  @Post('interactions')
  @Public()
  async interactivity(@Req() request: RawBodyRequest, @Res() response: Response, @CorrelationId() correlationId: string): Promise<void> {
    if (!this.interactions) {
      response.status(404).json({ code: 'SLACK.NOT_CONFIGURED', message: 'Slack is not configured on this Vigil (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)' });
      return;
    }
    const answer = await this.interactions.receive(request.rawBody, request.headers, correlationId);
    response.status(answer.status).json(answer.body);
  }
}
