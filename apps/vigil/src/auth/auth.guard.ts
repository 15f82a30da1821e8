import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Role, UsersRepository } from '@vigil/application';
import { DomainError } from '@vigil/domain/shared';
import { AuthenticatedRequest } from './authenticated-request';
import { ConsoleSessions, SESSION_TOKEN_PREFIX } from './oidc/console-sessions';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { SecurityAudit } from './security-audit';

/** Bearer token (API token or SSO console session) → user; then the handler's roles. Refusals are audited before the 401/403 goes out. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersRepository,
    @Inject(SecurityAudit) private readonly audit: SecurityAudit,
    @Inject(ConsoleSessions) private readonly sessions: ConsoleSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const refusal = { method: request.method, path: request.path, correlationId: request.correlationId ?? 'unknown' };

    const token = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1] ?? (typeof request.query.access_token === 'string' ? request.query.access_token : undefined);
    const user = token ? await this.userOf(token, request) : undefined;
    if (!user || user.disabled) {
      await this.recordRefusal({ ...refusal, actor: 'anonymous', code: 'AUTH.UNAUTHENTICATED' });
      throw new DomainError('AUTH.UNAUTHENTICATED', 'unauthenticated', token?.startsWith(SESSION_TOKEN_PREFIX) ? 'Your session has ended or was signed out; sign in again' : token ? 'The API token is not valid' : 'Send an API token: Authorization: Bearer <token>');
    }
    request.user = user;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !user.roles.some((role) => allowed.includes(role))) {
      await this.recordRefusal({ ...refusal, actor: user.id, code: 'AUTH.FORBIDDEN', requiredRoles: allowed, heldRoles: user.roles });
      throw new DomainError('AUTH.FORBIDDEN', 'forbidden', `This needs one of the roles ${allowed.join(', ')}; you have ${user.roles.join(', ') || 'none'}`);
    }
    return true;
  }

  /** A session is only as good as its user now: roles are read afresh and a disabled user is refused. */
  private async userOf(token: string, request: AuthenticatedRequest) {
    if (!token.startsWith(SESSION_TOKEN_PREFIX)) return this.users.findByToken(token);
    const session = await this.sessions.verify(token);
    if (!session) return undefined;
    request.consoleSession = session;
    return this.users.findById(session.userId);
  }

  private async recordRefusal(refusal: Parameters<SecurityAudit['recordRefusal']>[0]) {
    try {
      await this.audit.recordRefusal(refusal);
    } catch (error) {
      this.logger.error(`could not audit a refused request: ${(error as Error).message}`);
    }
  }
}
