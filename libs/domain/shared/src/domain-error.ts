/**
 * An error a user can cause. `code` is stable (`APPROVAL.SELF_APPROVAL`) and `kind` picks the HTTP status family
 * in one place at the edge, so the domain never knows about HTTP.
 */
export type DomainErrorKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'gone' // 410
  | 'unprocessable' // 422
  | 'unavailable'; // 503: a dependency is down; retrying later will work

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
