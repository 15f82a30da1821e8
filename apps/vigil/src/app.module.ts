import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditController } from './audit/audit.controller';
import { HealthController } from './health/health.controller';
import { VIGIL_RUNTIME } from './runtime/runtime.token';
import { VigilRuntime } from './runtime/vigil-runtime';

@Module({})
export class AppModule {
  /** The runtime (connections, embedded services) is built before Nest so start-up failures are explicit. */
  static forRuntime(runtime: VigilRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, AuditController],
      providers: [{ provide: VIGIL_RUNTIME, useValue: runtime }],
      exports: [VIGIL_RUNTIME],
    };
  }
}
