import { DomainError, DomainErrorKind } from './domain-error';

/**
 * One table per aggregate maps each stable code to its kind, so the code→HTTP mapping is data a reader can scan:
 *
 *   export const ApprovalErrors = defineErrors({ 'APPROVAL.CLOSED': 'conflict', ... });
 *   throw ApprovalErrors.raise('APPROVAL.CLOSED', 'approval is granted');
 */
export function defineErrors<const Catalogue extends Readonly<Record<string, DomainErrorKind>>>(catalogue: Catalogue) {
  type Code = keyof Catalogue & string;
  return {
    kinds: catalogue,
    kindOf(code: Code): DomainErrorKind {
      return catalogue[code];
    },
    raise(code: Code, message: string, details?: Readonly<Record<string, unknown>>): DomainError {
      return new DomainError(code, catalogue[code], message, details);
    },
    isCode(value: unknown): value is Code {
      return typeof value === 'string' && Object.prototype.hasOwnProperty.call(catalogue, value);
    },
  };
}
