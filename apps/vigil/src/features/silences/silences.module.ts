import { Module } from '@nestjs/common';
import { VIGIL_RUNTIME } from '../../runtime/runtime.token';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { SilencesController } from './silences.controller';
import { SilenceRegistry } from './silences';

@Module({
  controllers: [SilencesController],
  providers: [{ provide: SilenceRegistry, useFactory: (runtime: VigilRuntime) => runtime.integrations?.silences, inject: [VIGIL_RUNTIME] }],
  exports: [SilenceRegistry],
})
export class SilencesModule {}
