import { DynamicModule, Global, Module } from '@nestjs/common';
import { VigilRuntime } from '../../runtime/vigil-runtime';
import { SecurityAudit } from '../security-audit';
import { ConsoleSessions, derivedKey, inMemorySignedOutSessions, redisSignedOutSessions } from './console-sessions';
import { OIDC_SIGN_IN, OidcController } from './oidc.controller';
import { OidcProviderClient } from './oidc-provider-client';
import { OidcSignIn } from './oidc-sign-in';
import { oidcSettingsOf } from './oidc-settings';

/**
 * SSO sign-in (when OIDC_ISSUER_URL is set) and the console sessions the auth guard accepts. Bad OIDC settings
 * stop start-up with the variable's name. Global so the guard can check session tokens.
 */
@Global()
@Module({})
export class OidcModule {
  static forRuntime(runtime: VigilRuntime): DynamicModule {
    const config = runtime.config;
    const settings = oidcSettingsOf(config);
    // Without a dedicated secret, replicas sharing the audit signing key agree on session keys (HKDF keeps the uses apart).
    const secret = config.OIDC_SESSION_SECRET ? Buffer.from(config.OIDC_SESSION_SECRET) : runtime.signingKey.privateKey.export({ type: 'pkcs8', format: 'der' });
    const signedOut = runtime.redis ? redisSignedOutSessions(runtime.redis, config.VIGIL_QUEUE_PREFIX) : inMemorySignedOutSessions();
    const sessions = new ConsoleSessions(derivedKey(secret, 'console session'), config.OIDC_SESSION_TTL_MS, signedOut);
    return {
      module: OidcModule,
      controllers: [OidcController],
      providers: [
        { provide: ConsoleSessions, useValue: sessions },
        {
          provide: OIDC_SIGN_IN,
          useFactory: (audit: SecurityAudit) =>
            settings ? new OidcSignIn(settings, new OidcProviderClient(settings), derivedKey(secret, 'oidc flow'), sessions, runtime.users, runtime.store, audit) : null,
          inject: [SecurityAudit],
        },
      ],
      exports: [ConsoleSessions],
    };
  }
}
