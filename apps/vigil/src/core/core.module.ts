import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CommandBus, UsersRepository } from '@vigil/application';
import { ApprovalPolicy } from '@vigil/domain/approval';
import { EVENT_STORE } from '@vigil/event-store';
import { DataSource } from 'typeorm';
import { AuthGuard } from '../auth/auth.guard';
import { SecurityAudit } from '../auth/security-audit';
import { CLOCK, systemClock } from '../http/clock';
import { APP_POOL, TRUSTED_KEYS, VIGIL_RUNTIME } from '../runtime/runtime.token';
import { VigilRuntime } from '../runtime/vigil-runtime';

export const APPROVAL_POLICY = Symbol('ApprovalPolicy');

/** Hands the started runtime's parts to Nest; every route is authenticated unless marked @Public. */
@Global()
@Module({})
export class CoreModule {
  static forRuntime(runtime: VigilRuntime): DynamicModule {
    const providers = [
      { provide: VIGIL_RUNTIME, useValue: runtime },
      { provide: APP_POOL, useValue: runtime.pool },
      { provide: EVENT_STORE, useValue: runtime.store },
      { provide: TRUSTED_KEYS, useValue: runtime.trustedKeys },
      { provide: CommandBus, useValue: runtime.bus },
      { provide: UsersRepository, useValue: runtime.users },
      { provide: DataSource, useValue: runtime.dataSource },
      { provide: APPROVAL_POLICY, useValue: runtime.policy as ApprovalPolicy },
      { provide: SecurityAudit, useValue: new SecurityAudit(runtime.store) },
      { provide: CLOCK, useValue: systemClock },
    ];
    return {
      module: CoreModule,
      providers: [...providers, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: providers.map((p) => p.provide),
    };
  }
}
