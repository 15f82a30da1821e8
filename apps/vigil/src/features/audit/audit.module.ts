import { Module } from '@nestjs/common';
import { EventsStreamController } from '../events/events-stream.controller';
import { StreamsController } from '../streams/streams.controller';
import { AuditController } from './audit.controller';

@Module({ controllers: [AuditController, StreamsController, EventsStreamController] })
export class AuditModule {}
