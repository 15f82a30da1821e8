import { createHash } from 'node:crypto';
import { actionHashInput, type RemediationAction } from '@vigil/domain/remediation';

const PREFIX = 'sha256:';

/** `sha256:<hex>` of `actionHashInput(action, proposalVersion)`: the exact action (and version) an approval authorises. */
export function computeActionHash(action: RemediationAction, proposalVersion: number): string {
  return PREFIX + createHash('sha256').update(actionHashInput(action, proposalVersion), 'utf8').digest('hex');
}

/** Compares two action hashes, accepting both `sha256:<hex>` and bare `<hex>` (case-insensitive hex). */
export function sameActionHash(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const normalise = (hash: string): string => (hash.toLowerCase().startsWith(PREFIX) ? hash.slice(PREFIX.length) : hash).toLowerCase();
  const left = normalise(a);
  return left.length > 0 && left === normalise(b);
}
