import { Body, Controller, Delete, Get, Inject, Optional, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { User } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import { AllowRoles, CurrentUser } from '../../auth/roles.decorator';
import { CLOCK, Clock } from '../../http/clock';
import { CorrelationId } from '../../http/request-context';
import { openApiSchema, ZodPipe } from '../../http/zod-body';
import { SilenceInput, silenceInputSchema, SilenceRegistry } from './silences';

const listQuery = z.object({ active: z.enum(['true', 'false']).optional() });

/** Silences and maintenance windows: while one matches an anomaly, nobody is paged or escalated to about it. */
@ApiTags('silences')
@ApiBearerAuth()
@Controller('api/silences')
export class SilencesController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(SilenceRegistry) private readonly silences?: SilenceRegistry,
  ) {}

  private registry(): SilenceRegistry {
    if (!this.silences) throw new DomainError('SILENCE.UNAVAILABLE', 'not_found', 'silences need the server runtime');
    return this.silences;
  }

  @Get()
  async list(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return { items: await this.registry().list(query.active === 'true' ? this.clock() : undefined) };
  }

  @Post()
  @AllowRoles('sre', 'team-lead', 'manager', 'vp-eng', 'admin')
  @ApiBody({ schema: openApiSchema(silenceInputSchema) })
  async create(@Body(new ZodPipe(silenceInputSchema)) body: SilenceInput, @CurrentUser() user: User, @CorrelationId() correlationId: string) {
    try {
      return await this.registry().create(body, user.id, this.clock(), { correlationId });
    } catch (error) {
      if ((error as { code?: string }).code === 'SILENCE.INVALID_RANGE') throw new DomainError('SILENCE.INVALID_RANGE', 'invalid', (error as Error).message);
      throw error;
    }
  }

  /** Ends a silence now (recorded as SilenceExpired). */
  @Delete(':id')
  @AllowRoles('sre', 'team-lead', 'manager', 'vp-eng', 'admin')
  async expire(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: User, @CorrelationId() correlationId: string) {
    const silence = await this.registry().expire(id, user.id, this.clock(), correlationId);
    if (!silence) throw new DomainError('SILENCE.NOT_FOUND', 'not_found', `No silence ${id}`);
    return silence;
  }
}
