import { DomainError } from '@vigil/domain/shared';

/**
 * A domain refusal (APPROVAL.CLOSED, ESCALATION.LEVEL_OUT_OF_ORDER, APPROVAL.NOT_YET_DUE…): deciding again will
 * decide the same, so the host logs it and moves on instead of retrying. Anything else (the store is down, a
 * version conflict that outlasted its retries) is worth retrying.
 */
export function refusalOf(error: unknown): { readonly code: string; readonly message: string } | undefined {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  const candidate = error as { name?: unknown; code?: unknown; kind?: unknown; message?: unknown } | null;
  // A DomainError from another copy of the module (e.g. a test's module registry) still has its shape.
  if (candidate?.name === 'DomainError' && typeof candidate.code === 'string' && typeof candidate.kind === 'string') {
    return { code: candidate.code, message: String(candidate.message) };
  }
  return undefined;
}
