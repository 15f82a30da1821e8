import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { User } from '@vigil/application';
import { ApprovalPolicy, tierForAction } from '@vigil/domain/approval';
import { ACTION_KINDS, RemediationAction } from '@vigil/domain/remediation';
import { APPROVAL_POLICY } from '../../core/core.module';
import { AllowRoles, CurrentUser } from '../../auth/roles.decorator';
import { CLOCK, Clock } from '../../http/clock';
import { CorrelationId } from '../../http/request-context';
import { openApiSchema, ZodPipe } from '../../http/zod-body';
import { ProposeRemediationUseCase } from './usecases/propose-remediation/propose-remediation.usecase';

const actionSchema = z.object({ kind: z.enum(ACTION_KINDS), target: z.string().trim().min(1).max(300), params: z.record(z.string(), z.unknown()).default({}) }).strict();
const assessBody = z.object({ action: actionSchema }).strict();

const proposalBody = z
  .object({
    anomalyId: z.uuid().optional(),
    investigationId: z.uuid().optional(),
    action: actionSchema,
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
    @Inject(APPROVAL_POLICY) private readonly policy: ApprovalPolicy,
  ) {}

  /** The tier an action would get now (e.g. after modifying its params), without proposing anything. */
  @Post('assess')
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(assessBody) })
  assess(@Body(new ZodPipe(assessBody)) body: z.infer<typeof assessBody>) {
    const tier = tierForAction(this.policy, body.action.kind);
    const tierPolicy = this.policy.tiers[tier];
    return {
      tier,
      factors: [{ name: 'action-tier', detail: `${body.action.kind} is ${tier} in the approval policy` }],
      approvers: tierPolicy.autoApprove ? [] : tierPolicy.approvers,
      timeout: tierPolicy.autoApprove ? null : tierPolicy.timeout,
    };
  }

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
