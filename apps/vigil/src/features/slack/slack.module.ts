import { Module } from '@nestjs/common';
import { CommandBus } from '@vigil/application';
import { SecurityAudit } from '../../auth/security-audit';
import { VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { CastVoteUseCase } from '../approvals/usecases/cast-vote/cast-vote.usecase';
import { rawBodyCaptureProvider } from '../deliveries/raw-body';
import { SlackController } from './slack.controller';
import { SlackInteractions } from './slack-interactions';

@Module({
  controllers: [SlackController],
  providers: [
    rawBodyCaptureProvider,
    {
      provide: SlackInteractions,
      useFactory: (runtime: VigilRuntime, bus: CommandBus, audit: SecurityAudit) => runtime.integrations?.slackInteractions(new CastVoteUseCase(bus), audit),
      inject: [VIGIL_RUNTIME, CommandBus, SecurityAudit],
    },
  ],
})
export class SlackModule {}
