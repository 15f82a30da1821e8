import { Module } from '@nestjs/common';
import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { DataSource } from 'typeorm';
import { APP_POOL } from '../../runtime/runtime.token';
import { AnomaliesController } from './anomalies.controller';
import { AnomalyQueries } from './anomaly-queries';
import { ReportAnomalyUseCase } from './usecases/report-anomaly/report-anomaly.usecase';

@Module({
  controllers: [AnomaliesController],
  providers: [
    { provide: ReportAnomalyUseCase, useFactory: (bus: CommandBus, pool: Pool) => new ReportAnomalyUseCase(bus, pool), inject: [CommandBus, APP_POOL] },
    { provide: AnomalyQueries, useFactory: (ds: DataSource) => new AnomalyQueries(ds), inject: [DataSource] },
  ],
})
export class AnomaliesModule {}
