import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OidcModule } from './auth/oidc/oidc.module';
import { CoreModule } from './core/core.module';
import { AnomaliesModule } from './features/anomalies/anomalies.module';
import { ApprovalsModule } from './features/approvals/approvals.module';
import { AuditModule } from './features/audit/audit.module';
import { ProposalsModule } from './features/proposals/proposals.module';
import { ExecutionsController } from './features/executions/executions.controller';
import { IncidentsController } from './features/incidents/incidents.controller';
import { MeController } from './features/me/me.controller';
import { HealthController } from './health/health.controller';
import { VigilRuntime } from './runtime/vigil-runtime';
import { IntegrationsModule } from './features/deliveries/deliveries.module';
import { InvestigationsModule } from './features/investigations/investigations.module';

@Module({})
export class AppModule {
  /** The runtime (connections, embedded services) is built before Nest so start-up failures are explicit. */
  static forRuntime(runtime: VigilRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRuntime(runtime), OidcModule.forRuntime(runtime), TerminusModule.forRoot({ logger: false }), AnomaliesModule, ProposalsModule, ApprovalsModule, AuditModule, IntegrationsModule, InvestigationsModule],
      controllers: [HealthController, MeController, ExecutionsController, IncidentsController],
    };
  }
}
