import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { User } from '@vigil/application';
import { ANOMALY_SEVERITIES } from '@vigil/domain/anomaly';
import { AllowRoles, CurrentUser } from '../../auth/roles.decorator';
import { CLOCK, Clock } from '../../http/clock';
import { CorrelationId } from '../../http/request-context';
import { openApiSchema, ZodPipe } from '../../http/zod-body';
import { AnomalyQueries } from './anomaly-queries';
import { AnomalySeriesQuery } from './usecases/anomaly-series/anomaly-series.query';
import { ReportAnomalyUseCase } from './usecases/report-anomaly/report-anomaly.usecase';

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time');
const anomalyBody = z
  .object({
    service: z.string().trim().min(1).max(200),
    operation: z.string().trim().min(1).max(300).default('*'),
    signal: z.string().trim().min(1).max(100),
    expected: z.number(),
    actual: z.number(),
    score: z.number().default(0),
    severity: z.enum(ANOMALY_SEVERITIES).default('warning'),
    window: z.object({ start: isoTime, end: isoTime }).optional(),
    source: z.string().max(100).optional(),
    fingerprint: z.string().max(200).optional(),
  })
  .strict();

const seriesQuery = z.object({ hours: z.coerce.number().positive().max(168).default(6) });
const listQuery = z.object({ status: z.enum(['open', 'acknowledged', 'suppressed', 'resolved']).optional() });

@ApiTags('anomalies')
@ApiBearerAuth()
@Controller('api/anomalies')
export class AnomaliesController {
  constructor(
    private readonly report: ReportAnomalyUseCase,
    private readonly queries: AnomalyQueries,
    private readonly series: AnomalySeriesQuery,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** 201 {id}; a repeat for an open (service, operation, signal) updates that anomaly and returns its id. */
  @Post()
  @AllowRoles('responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'admin')
  @ApiBody({ schema: openApiSchema(anomalyBody) })
  async create(@Body(new ZodPipe(anomalyBody)) body: z.infer<typeof anomalyBody>, @CurrentUser() user: User, @CorrelationId() correlationId: string) {
    const now = this.clock();
    const result = await this.report.execute({ ...body, window: body.window ?? { start: now, end: now }, actor: user.id, correlationId, now });
    return { id: result.id, created: result.created };
  }

  /** The signal per minute against the detector's baseline band (`hours`, default 6, at most 168). */
  @Get(':id/series')
  signalSeries(@Param('id', new ParseUUIDPipe()) id: string, @Query(new ZodPipe(seriesQuery)) query: z.infer<typeof seriesQuery>) {
    return this.series.execute(id, query.hours);
  }

  @Get()
  list(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return this.queries.list(query.status);
  }
}
