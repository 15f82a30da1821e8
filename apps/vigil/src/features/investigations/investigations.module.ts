import { Module } from '@nestjs/common';
import { CommandBus } from '@vigil/application';
import { InvestigationsController } from './investigations.controller';
import { GetInvestigationQuery } from './usecases/get-investigation/get-investigation.query';

@Module({
  controllers: [InvestigationsController],
  providers: [{ provide: GetInvestigationQuery, useFactory: (bus: CommandBus) => new GetInvestigationQuery(bus), inject: [CommandBus] }],
})
export class InvestigationsModule {}
