import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DomainError } from '@vigil/domain/shared';
import { incidentTimeline } from '@vigil/read-models';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api/incidents')
export class IncidentsController {
  constructor(private readonly dataSource: DataSource) {}

  /** anomaly → investigation → proposals → approvals → escalations → executions → verification, in log order. */
  @Get(':anomalyId')
  async get(@Param('anomalyId', ParseUUIDPipe) anomalyId: string) {
    const timeline = await incidentTimeline(this.dataSource.manager, anomalyId);
    if (!timeline) throw new DomainError('INCIDENT.NOT_FOUND', 'not_found', `No incident for anomaly ${anomalyId}`);
    return timeline;
  }
}
