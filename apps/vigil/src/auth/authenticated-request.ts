import type { Request } from 'express';
import { User } from '@vigil/application';

export interface AuthenticatedRequest extends Request {
  correlationId?: string;
  user?: User;
}
