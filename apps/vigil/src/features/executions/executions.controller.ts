import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { DomainError } from '@vigil/domain/shared';
import { executionById, executionsByProposal, ExecutionView } from '@vigil/read-models';
import { ZodPipe } from '../../http/zod-body';

const listQuery = z.object({ proposalId: z.uuid() });
const view = (execution: ExecutionView) => ({ id: execution.executionId, ...execution });

@ApiTags('executions')
@ApiBearerAuth()
@Controller('api/executions')
export class ExecutionsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  async list(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return { items: (await executionsByProposal(this.dataSource.manager, query.proposalId)).map(view) };
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const execution = await executionById(this.dataSource.manager, id);
    if (!execution) throw new DomainError('EXECUTION.NOT_FOUND', 'not_found', `No execution ${id}`);
    return view(execution);
  }
}
