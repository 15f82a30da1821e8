import { User } from '@vigil/application';

/** Security streams (refused requests) are for auditors and admins; domain streams are readable by every role. */
export function canReadStream(user: User, streamId: string): boolean {
  if (!streamId.startsWith('security-')) return true;
  return user.roles.includes('auditor') || user.roles.includes('admin');
}
