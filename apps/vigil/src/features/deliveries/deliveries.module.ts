import { Module } from '@nestjs/common';
import { VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { AlertsModule } from '../alerts/alerts.module';
import { ChangesModule } from '../changes/changes.module';
import { PagerDutyModule } from '../pagerduty/pagerduty.module';
import { SilencesModule } from '../silences/silences.module';
import { SlackModule } from '../slack/slack.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryService } from './delivery-service';

@Module({
  controllers: [DeliveriesController],
  providers: [{ provide: DeliveryService, useFactory: (runtime: VigilRuntime) => runtime.integrations?.deliveries, inject: [VIGIL_RUNTIME] }],
})
export class DeliveriesModule {}

/** Every inbound webhook and outbound channel: Slack, PagerDuty, alert intake, change events, silences, dead letters. */
@Module({ imports: [DeliveriesModule, SlackModule, PagerDutyModule, AlertsModule, ChangesModule, SilencesModule] })
export class IntegrationsModule {}
