import { Module } from '@nestjs/common';
import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { DataSource } from 'typeorm';
import { APP_POOL, VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { ClickHouseRedMinutes } from '../detection/clickhouse-red-minutes';
import { AnomalySeriesQuery } from './usecases/anomaly-series/anomaly-series.query';
import { AnomaliesController } from './anomalies.controller';
import { AnomalyQueries } from './anomaly-queries';
import { ReportAnomalyUseCase } from './usecases/report-anomaly/report-anomaly.usecase';

@Module({
  controllers: [AnomaliesController],
  providers: [
    { provide: ReportAnomalyUseCase, useFactory: (bus: CommandBus, pool: Pool) => new ReportAnomalyUseCase(bus, pool), inject: [CommandBus, APP_POOL] },
    { provide: AnomalyQueries, useFactory: (ds: DataSource) => new AnomalyQueries(ds), inject: [DataSource] },
    {
      provide: AnomalySeriesQuery,
      useFactory: (bus: CommandBus, runtime: VigilRuntime) =>
        new AnomalySeriesQuery(bus, runtime.clickhouse ? new ClickHouseRedMinutes(runtime.clickhouse, runtime.config.CLICKHOUSE_DATABASE) : undefined),
      inject: [CommandBus, VIGIL_RUNTIME],
    },
  ],
})
export class AnomaliesModule {}
