import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { User } from '@vigil/application';
import { EVENT_STORE, EventStore, GlobalPosition, parsePosition } from '@vigil/event-store';
import { AuthenticatedRequest } from '../../auth/authenticated-request';
import { CurrentUser } from '../../auth/roles.decorator';
import { canReadStream } from '../streams/stream-visibility';
import { publicEvent } from '../streams/streams.controller';

/**
 * Server-Sent Events of new domain events (those the caller may read). Each message's id is the event's global
 * position, so a reconnecting EventSource resumes after `Last-Event-ID` without gaps. Browsers pass the token as
 * `?access_token=` because EventSource cannot set headers.
 */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventsStreamController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('stream')
  @ApiProduces('text/event-stream')
  async stream(@Req() request: AuthenticatedRequest, @Res() response: Response, @CurrentUser() user: User) {
    const lastEventId = request.header('last-event-id');
    const from: GlobalPosition = lastEventId && /^\d+:\d+$/.test(lastEventId) ? parsePosition(lastEventId) : await this.store.headPosition();
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-cache, no-transform');
    response.setHeader('connection', 'keep-alive');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    response.write(`retry: 2000\n: connected at ${from.commit}:${from.prepare}\n\n`);

    const abort = new AbortController();
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    request.on('close', () => {
      abort.abort();
      clearInterval(heartbeat);
    });
    try {
      for await (const event of this.store.subscribeToAll(from, { signal: abort.signal, pollIntervalMs: 100 })) {
        if (!canReadStream(user, event.streamId)) continue;
        const body = publicEvent(event);
        response.write(`id: ${body.position}\nevent: ${event.type}\ndata: ${JSON.stringify(body)}\n\n`);
      }
    } finally {
      clearInterval(heartbeat);
      response.end();
    }
  }
}
