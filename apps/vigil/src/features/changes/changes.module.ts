import { Module } from '@nestjs/common';
import { CommandBus } from '@vigil/application';
import { VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { rawBodyCaptureProvider } from '../deliveries/raw-body';
import { CHANGE_WEBHOOK_SECRETS, ChangesController } from './changes.controller';
import { ClickHouseChanges } from './clickhouse-changes';
import { RecordChangeUseCase } from './usecases/record-change/record-change.usecase';

@Module({
  controllers: [ChangesController],
  providers: [
    rawBodyCaptureProvider,
    {
      provide: CHANGE_WEBHOOK_SECRETS,
      useFactory: (runtime: VigilRuntime) => ({ token: runtime.config.CHANGES_WEBHOOK_TOKEN, github: runtime.config.GITHUB_WEBHOOK_SECRET }),
      inject: [VIGIL_RUNTIME],
    },
    {
      provide: RecordChangeUseCase,
      useFactory: (runtime: VigilRuntime, bus: CommandBus) =>
        new RecordChangeUseCase(bus, runtime.clickhouse ? new ClickHouseChanges(runtime.clickhouse, runtime.config.CLICKHOUSE_DATABASE) : undefined),
      inject: [VIGIL_RUNTIME, CommandBus],
    },
  ],
})
export class ChangesModule {}
