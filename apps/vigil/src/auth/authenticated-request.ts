import type { Request } from 'express';
import { User } from '@vigil/application';
import type { ConsoleSession } from './oidc/console-sessions';

export interface AuthenticatedRequest extends Request {
  correlationId?: string;
  user?: User;
  /** Set when the bearer token is an SSO console session rather than an API token. */
  consoleSession?: ConsoleSession;
}
