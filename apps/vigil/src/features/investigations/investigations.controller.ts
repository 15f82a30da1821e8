import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@vigil/domain/shared';
import { GetInvestigationQuery } from './usecases/get-investigation/get-investigation.query';

@ApiTags('investigations')
@ApiBearerAuth()
@Controller('api/investigations')
export class InvestigationsController {
  constructor(private readonly investigation: GetInvestigationQuery) {}

  /** Findings with their evidence, the ranked hypotheses, and the investigator's proposal (tier, blast radius, dry run). */
  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const view = await this.investigation.execute(id);
    if (!view) throw new DomainError('INVESTIGATION.NOT_FOUND', 'not_found', `No investigation ${id}`);
    return view;
  }
}
