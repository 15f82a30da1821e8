import { Module } from '@nestjs/common';
import { CommandBus } from '@vigil/application';
import { ApprovalPolicy } from '@vigil/domain/approval';
import { DataSource } from 'typeorm';
import { APPROVAL_POLICY } from '../../core/core.module';
import { ProposalsController } from './proposals.controller';
import { ProposeRemediationUseCase } from './usecases/propose-remediation/propose-remediation.usecase';

@Module({
  controllers: [ProposalsController],
  providers: [
    {
      provide: ProposeRemediationUseCase,
      useFactory: (bus: CommandBus, policy: ApprovalPolicy, ds: DataSource) =>
        new ProposeRemediationUseCase(bus, policy, async (proposalId, version) => {
          const [approval] = await ds.query(`SELECT id FROM approval_queue WHERE proposal_id = $1 AND proposal_version = $2 ORDER BY requested_at DESC LIMIT 1`, [proposalId, version]);
          const [execution] = approval ? [] : await ds.query(`SELECT id FROM executions WHERE proposal_id = $1 ORDER BY requested_at DESC LIMIT 1`, [proposalId]);
          return { approvalId: approval?.id, executionId: execution?.id };
        }),
      inject: [CommandBus, APPROVAL_POLICY, DataSource],
    },
  ],
})
export class ProposalsModule {}
