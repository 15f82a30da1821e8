import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { User } from '@vigil/application';
import { AllowRoles, CurrentUser } from '../../auth/roles.decorator';
import { CLOCK, Clock } from '../../http/clock';
import { CorrelationId, IdempotencyKey } from '../../http/request-context';
import { openApiSchema, ZodPipe } from '../../http/zod-body';
import { ApprovalQueries } from './approval-queries';
import { CastVoteUseCase } from './usecases/cast-vote/cast-vote.usecase';

const voteBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    reason: z.string().trim().min(1).max(2000).optional(),
    modifications: z.record(z.string(), z.unknown()).optional(),
    proposalVersion: z.number().int().positive().optional(),
    actionHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();

const listQuery = z.object({ status: z.enum(['pending', 'granted', 'rejected', 'expired', 'cancelled']).optional() });

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('api/approvals')
export class ApprovalsController {
  constructor(
    private readonly castVote: CastVoteUseCase,
    private readonly queries: ApprovalQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  list(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return this.queries.list(query.status);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.queries.get(id);
  }

  /** 201 when the vote counted; 403 / 409 / 410 with a stable code when refused (the attempt is still audited). */
  @Post(':id/votes')
  @HttpCode(201)
  @AllowRoles('responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'admin')
  @ApiBody({ schema: openApiSchema(voteBody) })
  vote(
    @Param('id', ParseUUIDPipe) id: string,
    @Body(new ZodPipe(voteBody)) body: z.infer<typeof voteBody>,
    @CurrentUser() user: User,
    @CorrelationId() correlationId: string,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ) {
    return this.castVote.execute({
      approvalId: id,
      voter: user,
      decision: body.decision,
      reason: body.reason,
      modifications: body.modifications as never,
      proposalVersion: body.proposalVersion,
      actionHash: body.actionHash,
      idempotencyKey,
      correlationId,
      now: this.clock(),
    });
  }
}
