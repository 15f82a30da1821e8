import { verify } from 'node:crypto';
import { JwksCache, SigningAlgorithm } from './jwks';
import { OidcRefusal } from './oidc-refusal';

export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly exp: number;
  readonly iat: number;
  readonly nonce?: string;
  readonly azp?: string;
  readonly email?: string;
  readonly email_verified?: boolean | string;
  readonly preferred_username?: string;
  readonly name?: string;
  readonly [claim: string]: unknown;
}

export interface IdTokenExpectations {
  readonly issuer: string;
  readonly clientId: string;
  readonly nonce: string;
  readonly nowSeconds: number;
}

/** Clocks of the provider and Vigil may disagree a little; more than this is a problem worth refusing. */
export const CLOCK_SKEW_SECONDS = 60;

const ALGORITHMS: readonly string[] = ['RS256', 'ES256'] satisfies SigningAlgorithm[];

/** Verifies the signature against the provider's JWKS first, then iss, aud (and azp), exp, iat and the nonce. */
export async function verifyIdToken(idToken: string, keys: JwksCache, expected: IdTokenExpectations): Promise<IdTokenClaims> {
  const parts = idToken.split('.');
  if (parts.length !== 3) throw new OidcRefusal('OIDC.MALFORMED_TOKEN', 'It does not have three parts.');
  const header = decodeJson(parts[0]) as { alg?: unknown; kid?: unknown };
  const claims = decodeJson(parts[1]) as Partial<IdTokenClaims>;
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) throw new OidcRefusal('OIDC.UNSUPPORTED_ALGORITHM', `(alg ${String(header.alg)})`);
  const algorithm = header.alg as SigningAlgorithm;
  const key = await keys.keyFor(typeof header.kid === 'string' ? header.kid : undefined, algorithm);
  const signature = Buffer.from(parts[2], 'base64url');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  // JWS ES256 signatures are r||s (IEEE P1363), not DER.
  const valid = verify('sha256', signed, algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  if (!valid) throw new OidcRefusal('OIDC.BAD_SIGNATURE');

  if (claims.iss !== expected.issuer) throw new OidcRefusal('OIDC.WRONG_ISSUER', `(iss ${String(claims.iss)}, expected ${expected.issuer})`);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.clientId)) throw new OidcRefusal('OIDC.WRONG_AUDIENCE', `(aud ${audiences.join(', ')}, expected ${expected.clientId})`);
  if (audiences.length > 1 && claims.azp !== undefined && claims.azp !== expected.clientId) throw new OidcRefusal('OIDC.WRONG_AUDIENCE', `(azp ${claims.azp})`);
  if (typeof claims.exp !== 'number') throw new OidcRefusal('OIDC.MALFORMED_TOKEN', 'It has no exp.');
  if (expected.nowSeconds > claims.exp + CLOCK_SKEW_SECONDS) throw new OidcRefusal('OIDC.TOKEN_EXPIRED', `(expired at ${new Date(claims.exp * 1000).toISOString()})`);
  if (typeof claims.iat !== 'number') throw new OidcRefusal('OIDC.MALFORMED_TOKEN', 'It has no iat.');
  if (claims.iat > expected.nowSeconds + CLOCK_SKEW_SECONDS) throw new OidcRefusal('OIDC.TOKEN_NOT_YET_VALID', `(issued at ${new Date(claims.iat * 1000).toISOString()})`);
  if (claims.nonce !== expected.nonce) throw new OidcRefusal('OIDC.BAD_NONCE');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new OidcRefusal('OIDC.MALFORMED_TOKEN', 'It has no sub.');
  return claims as IdTokenClaims;
}

function decodeJson(part: string): object {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // falls through to the refusal
  }
  throw new OidcRefusal('OIDC.MALFORMED_TOKEN', 'Its header or claims are not a JSON object.');
}
