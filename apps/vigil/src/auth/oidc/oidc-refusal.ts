/**
 * Stable codes for every way an SSO sign-in is refused. The console shows the message; the audit log keeps the code.
 * `forbidden` ones are about who the person is (no role, disabled); the rest are about the protocol exchange.
 */
export const OIDC_REFUSALS = {
  'OIDC.NOT_CONFIGURED': 'Single sign-on is not configured on this server.',
  'OIDC.PROVIDER_ERROR': 'The identity provider did not sign you in.',
  'OIDC.PROVIDER_UNAVAILABLE': 'The identity provider could not be reached or answered something unusable.',
  'OIDC.BAD_STATE': 'This sign-in was not started from this browser, or it took too long. Start again.',
  'OIDC.CODE_REJECTED': 'The identity provider refused the sign-in code.',
  'OIDC.MALFORMED_TOKEN': 'The identity provider sent an ID token that is not a valid JWT.',
  'OIDC.UNSUPPORTED_ALGORITHM': 'The ID token is signed with an algorithm Vigil does not accept (RS256, ES256).',
  'OIDC.UNKNOWN_KEY': "The ID token is signed with a key the identity provider does not publish.",
  'OIDC.BAD_SIGNATURE': "The ID token's signature is not valid.",
  'OIDC.WRONG_ISSUER': 'The ID token was issued by another identity provider.',
  'OIDC.WRONG_AUDIENCE': 'The ID token was issued for another application.',
  'OIDC.TOKEN_EXPIRED': 'The ID token has expired.',
  'OIDC.TOKEN_NOT_YET_VALID': 'The ID token was issued in the future (check the clocks).',
  'OIDC.BAD_NONCE': 'The ID token does not belong to this sign-in (nonce mismatch).',
  'OIDC.NO_EMAIL': 'The identity provider did not say which verified email address you have.',
  'OIDC.NO_ROLE': 'None of your groups at the identity provider maps to a Vigil role.',
  'OIDC.UNKNOWN_USER': 'There is no Vigil user with your email address, and this server does not create users at sign-in.',
  'OIDC.USER_DISABLED': 'Your Vigil user is disabled.',
} as const;

export type OidcRefusalCode = keyof typeof OIDC_REFUSALS;

const FORBIDDEN: ReadonlySet<OidcRefusalCode> = new Set(['OIDC.NO_ROLE', 'OIDC.UNKNOWN_USER', 'OIDC.USER_DISABLED']);

export class OidcRefusal extends Error {
  constructor(
    readonly code: OidcRefusalCode,
    /** What exactly was wrong, for the person and the audit log. */
    readonly detail?: string,
  ) {
    super(detail ? `${OIDC_REFUSALS[code]} ${detail}` : OIDC_REFUSALS[code]);
    this.name = 'OidcRefusal';
  }

  get kind(): 'forbidden' | 'unauthenticated' {
    return FORBIDDEN.has(this.code) ? 'forbidden' : 'unauthenticated';
  }
}
