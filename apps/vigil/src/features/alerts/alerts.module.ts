import { Module } from '@nestjs/common';
import { Pool } from 'pg';
import { CommandBus } from '@vigil/application';
import { APP_POOL, VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { ReportAnomalyUseCase } from '../anomalies/usecases/report-anomaly/report-anomaly.usecase';
import { ResolveAnomalyByKeyUseCase } from '../anomalies/usecases/resolve-anomaly-by-key/resolve-anomaly-by-key.usecase';
import { SilenceRegistry } from '../silences/silences';
import { SilencesModule } from '../silences/silences.module';
import { AlertIntake } from './alert-intake';
import { ALERT_TOKENS, AlertsController } from './alerts.controller';

@Module({
  imports: [SilencesModule],
  controllers: [AlertsController],
  providers: [
    { provide: ALERT_TOKENS, useFactory: (runtime: VigilRuntime) => runtime.integrations?.alertTokens ?? {}, inject: [VIGIL_RUNTIME] },
    {
      provide: AlertIntake,
      useFactory: (bus: CommandBus, pool: Pool, silences?: SilenceRegistry) =>
        silences ? new AlertIntake(new ReportAnomalyUseCase(bus, pool), new ResolveAnomalyByKeyUseCase(bus, pool), bus, silences) : undefined,
      inject: [CommandBus, APP_POOL, SilenceRegistry],
    },
  ],
})
export class AlertsModule {}
