import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { User } from '@vigil/application';
import { ACTION_KINDS, RemediationAction } from '@vigil/domain/remediation';
import { AllowRoles, CurrentUser } from '../../auth/roles.decorator';
import { CLOCK, Clock } from '../../http/clock';
import { CorrelationId } from '../../http/request-context';
import { openApiSchema, ZodPipe } from '../../http/zod-body';
import { ProposeRemediationUseCase } from './usecases/propose-remediation/propose-remediation.usecase';

const proposalBody = z
  .object({
    anomalyId: z.uuid().optional(),
    investigationId: z.uuid().optional(),
    action: z.object({ kind: z.enum(ACTION_KINDS), target: z.string().trim().min(1).max(300), params: z.record(z.string(), z.unknown()).default({}) }).strict(),
    rationale: z.string().trim().min(1).max(5000),
  })
  .strict();

@ApiTags('proposals')
@ApiBearerAuth()
@Controller('api/proposals')
export class ProposalsController {
  constructor(
    private readonly propose: ProposeRemediationUseCase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** 201 {id, version, tier, approvalId?, executionId?, status}. The proposer can never approve it. */
  @Post()
  @HttpCode(201)
  @AllowRoles('responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'admin')
  @ApiBody({ schema: openApiSchema(proposalBody) })
  create(@Body(new ZodPipe(proposalBody)) body: z.infer<typeof proposalBody>, @CurrentUser() user: User, @CorrelationId() correlationId: string) {
    return this.propose.execute({
      action: body.action as RemediationAction,
      rationale: body.rationale,
      anomalyId: body.anomalyId,
      investigationId: body.investigationId,
      proposer: user.id,
      correlationId,
      now: this.clock(),
    });
  }
}
