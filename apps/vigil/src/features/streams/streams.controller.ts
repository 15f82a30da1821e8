import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CommandBus, parseStreamId, User } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { CurrentUser } from '../../auth/roles.decorator';
import { ZodPipe } from '../../http/zod-body';
import { canReadStream } from './stream-visibility';

const asOfQuery = z.object({ asOf: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time').optional() });

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/streams')
export class StreamsController {
  constructor(
    private readonly bus: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** An aggregate's state and events as of a time: what an approver saw when they voted. */
  @Get(':streamId')
  async get(@Param('streamId') streamId: string, @Query(new ZodPipe(asOfQuery)) query: z.infer<typeof asOfQuery>, @CurrentUser() user: User) {
    if (!canReadStream(user, streamId)) throw new DomainError('AUTH.FORBIDDEN', 'forbidden', `Stream ${streamId} is readable by auditors and admins only`);
    const asOf = query.asOf ? new Date(query.asOf).toISOString() : undefined;
    const parsed = parseStreamId(streamId);
    if (!parsed) {
      const events = await this.store.readStream(streamId, asOf ? { asOf } : {});
      if (!events.length) throw new DomainError('STREAM.NOT_FOUND', 'not_found', `No stream ${streamId}${asOf ? ` as of ${asOf}` : ''}`);
      return { streamId, asOf: asOf ?? null, version: events.length - 1, state: null, events: events.map(publicEvent) };
    }
    const { state, version, events } = await this.bus.load(parsed.aggregate, parsed.id, asOf);
    if (version < 0) throw new DomainError('STREAM.NOT_FOUND', 'not_found', `No stream ${streamId}${asOf ? ` as of ${asOf}` : ''}`);
    return { streamId, aggregate: parsed.aggregate, asOf: asOf ?? null, version, state, events: events.map(publicEvent) };
  }
}

export function publicEvent(event: Awaited<ReturnType<EventStore['readStream']>>[number]) {
  return {
    position: `${event.position.commit}:${event.position.prepare}`,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
    hash: event.hash,
  };
}
