import type { NumericAttributes, StringAttributes } from '@vigil/contracts';

/** A kind of sensitive value found by a regular expression (global flag required). */
export interface PiiRule {
  /** Shown in the replacement: `[REDACTED:<name>]`. */
  name: string;
  pattern: RegExp;
  /** A further check of a match (e.g. Luhn): false leaves the match as it is. */
  accept?: (match: string) => boolean;
  /** The text to put instead of a match. Default `[REDACTED:<name>]`. */
  replace?: (match: string) => string;
  /** A cheap test a value must pass before the pattern runs (most values hold no PII: this is the hot path). */
  mayMatch?: (value: string) => boolean;
}

export interface PiiOptions {
  /** Replaces the default rules (DEFAULT_PII_RULES). */
  rules?: PiiRule[];
  /** Added after the rules. */
  extraRules?: PiiRule[];
  /** Attribute keys whose whole value is a secret. Default SECRET_ATTRIBUTE_KEYS. */
  secretKeys?: RegExp;
}

export const redacted = (name: string) => `[REDACTED:${name}]`;

/** Luhn checksum over the digits of `text` (separators ignored). */
export function luhnValid(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro): with the
 * length and Luhn check this keeps ids, timestamps and phone numbers (which pass Luhn one time in ten) intact.
 */
const CARD_PREFIX = /^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8]\d)|5[06-9]|6[06-9])/;

export function isCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && CARD_PREFIX.test(digits) && luhnValid(digits);
}

export const DEFAULT_PII_RULES: readonly PiiRule[] = [
  // Before jwt: a bearer JWT is redacted as a credential with its scheme kept for debugging.
  {
    name: 'credentials',
    pattern: /\b(Bearer|Basic|Digest|Token|ApiKey)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi,
    replace: (match) => `${match.split(/\s+/)[0]} ${redacted('credentials')}`,
    mayMatch: (value) => /\s/.test(value),
  },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, mayMatch: (value) => value.includes('eyJ') },
  { name: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, mayMatch: (value) => value.includes('@') },
  // 13–19 digits, optionally grouped by single spaces or dashes, not part of a longer number.
  { name: 'card', pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g, accept: isCardNumber, mayMatch: (value) => /\d{4}/.test(value) },
];

/** No default rule matches fewer characters ("a@b.io"). */
const SHORTEST_MATCH = 6;

/**
 * The union of the default rules' `mayMatch` tests in one pass over the characters: whitespace (credentials), `eyJ`
 * (jwt), `@` (email), four digits in a row (card). False means every default rule would be skipped, so the value is
 * returned as is. Any non-ASCII character answers true and leaves the decision to the rules themselves (`\s` holds
 * Unicode spaces), so this never skips a value a rule could change.
 */
export function mayHoldDefaultPii(value: string): boolean {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (++digits === 4) return true;
      continue;
    }
    digits = 0;
    if (code === 64 || code === 32 || (code >= 9 && code <= 13) || code >= 128) return true;
    if (code === 101 && value.charCodeAt(i + 1) === 121 && value.charCodeAt(i + 2) === 74) return true;
  }
  return false;
}

/** Distinct attribute keys whose secret-key verdict is remembered (keys repeat on every span; the set is small). */
const SECRET_KEY_CACHE_SIZE = 10_000;

/** Header / attribute keys carrying credentials: the whole value is replaced, whatever it looks like. */
export const SECRET_ATTRIBUTE_KEYS = /(?:^|[._-])(?:authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|api[._-]?key|x-api-key|access[._-]?token|refresh[._-]?token|client[._-]?secret)$/i;

/** Redacts sensitive values before anything is stored. */
export class PiiScrubber {
  private readonly rules: readonly PiiRule[];
  private readonly secretKeys: RegExp;
  private readonly customRules: boolean;
  /** Verdicts of `secretKeys` per key, when the pattern is stateless (no g or y flag). */
  private readonly secretKeyVerdicts: Map<string, boolean> | null;

  constructor(options: PiiOptions = {}) {
    this.rules = [...(options.rules ?? DEFAULT_PII_RULES), ...(options.extraRules ?? [])];
    this.customRules = options.rules !== undefined || (options.extraRules?.length ?? 0) > 0;
    for (const rule of this.rules) {
      if (!rule.pattern.global) throw new Error(`PII rule ${rule.name}: the pattern needs the g flag`);
    }
    this.secretKeys = options.secretKeys ?? SECRET_ATTRIBUTE_KEYS;
    this.secretKeyVerdicts = this.secretKeys.global || this.secretKeys.sticky ? null : new Map();
  }

  scrub(value: string): string {
    if (!this.customRules && (value.length < SHORTEST_MATCH || !mayHoldDefaultPii(value))) return value;
    let result = value;
    for (const rule of this.rules) {
      if (rule.mayMatch && !rule.mayMatch(result)) continue;
      result = result.replace(rule.pattern, (match) => {
        if (rule.accept && !rule.accept(match)) return match;
        return rule.replace ? rule.replace(match) : redacted(rule.name);
      });
    }
    return result;
  }

  /**
   * Scrubs every value in place. A changed key loses its numeric twin too (a card number sent as an int attribute is
   * in both maps).
   */
  scrubAttributes(attributes: StringAttributes, numeric?: NumericAttributes): void {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      const scrubbed = this.isSecretKey(key) && value !== '' ? redacted('secret') : this.scrub(value);
      if (scrubbed === value) continue;
      attributes[key] = scrubbed;
      if (numeric) delete numeric[key];
    }
  }

  private isSecretKey(key: string): boolean {
    const verdicts = this.secretKeyVerdicts;
    if (!verdicts) return this.secretKeys.test(key);
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.secretKeys.test(key);
      if (verdicts.size >= SECRET_KEY_CACHE_SIZE) verdicts.clear();
      verdicts.set(key, verdict);
    }
    return verdict;
  }
}
