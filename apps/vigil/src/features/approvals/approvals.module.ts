import { Module } from '@nestjs/common';
import { CommandBus } from '@vigil/application';
import { DataSource } from 'typeorm';
import { ApprovalQueries } from './approval-queries';
import { ApprovalsController } from './approvals.controller';
import { CastVoteUseCase } from './usecases/cast-vote/cast-vote.usecase';

@Module({
  controllers: [ApprovalsController],
  providers: [
    { provide: CastVoteUseCase, useFactory: (bus: CommandBus) => new CastVoteUseCase(bus), inject: [CommandBus] },
    { provide: ApprovalQueries, useFactory: (ds: DataSource, bus: CommandBus) => new ApprovalQueries(ds, bus), inject: [DataSource, CommandBus] },
  ],
})
export class ApprovalsModule {}
