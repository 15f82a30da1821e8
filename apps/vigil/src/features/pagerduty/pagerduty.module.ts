import { Module } from '@nestjs/common';
import { CommandBus } from '@vigil/application';
import { SecurityAudit } from '../../auth/security-audit';
import { VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { rawBodyCaptureProvider } from '../deliveries/raw-body';
import { PagerDutyController } from './pagerduty.controller';
import { PagerDutyWebhooks } from './pagerduty-webhooks';

@Module({
  controllers: [PagerDutyController],
  providers: [
    rawBodyCaptureProvider,
    {
      provide: PagerDutyWebhooks,
      useFactory: (runtime: VigilRuntime, bus: CommandBus, audit: SecurityAudit) => {
        const secret = runtime.integrations?.pagerduty?.config.webhookSecret;
        return secret ? new PagerDutyWebhooks(secret, bus, runtime.pool, audit) : undefined;
      },
      inject: [VIGIL_RUNTIME, CommandBus, SecurityAudit],
    },
  ],
})
export class PagerDutyModule {}
