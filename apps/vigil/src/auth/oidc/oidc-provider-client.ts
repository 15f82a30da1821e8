import { createHash } from 'node:crypto';
import { IdTokenClaims, verifyIdToken } from './id-token';
import { fetchJson, JwksCache } from './jwks';
import { OidcRefusal } from './oidc-refusal';
import { OidcSettings } from './oidc-settings';

interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly code_challenge_methods_supported?: readonly string[];
  readonly token_endpoint_auth_methods_supported?: readonly string[];
}

/** Re-read the provider's metadata now and then (endpoints move rarely; keys have their own refetch). */
const METADATA_TTL_MS = 60 * 60 * 1000;

export const pkceChallengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/**
 * Talks to the OpenID Provider: discovery (fetched lazily, so Vigil starts while the provider is down), the
 * authorization URL, the code exchange and the ID token check.
 */
export class OidcProviderClient {
  private metadata?: { value: ProviderMetadata; fetchedAt: number };
  readonly keys = new JwksCache(async () => (await this.discover()).jwks_uri);

  constructor(private readonly settings: OidcSettings) {}

  async authorizationUrl(flow: { state: string; nonce: string; verifier: string }): Promise<string> {
    const url = new URL((await this.discover()).authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: pkceChallengeOf(flow.verifier),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /** Trades the code (with the PKCE verifier and, for a confidential client, the secret) for a verified ID token. */
  async exchange(code: string, flow: { nonce: string; verifier: string }, nowSeconds: number): Promise<IdTokenClaims> {
    const metadata = await this.discover();
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUrl, code_verifier: flow.verifier, client_id: this.settings.clientId });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const secret = this.settings.clientSecret;
    if (secret) {
      const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
      if (methods.includes('client_secret_basic')) {
        // RFC 6749 §2.3.1: both parts are form-encoded before base64.
        headers.authorization = `Basic ${Buffer.from(`${formEncode(this.settings.clientId)}:${formEncode(secret)}`).toString('base64')}`;
      } else {
        form.set('client_secret', secret);
      }
    }
    let response: Response;
    try {
      response = await fetch(metadata.token_endpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000), redirect: 'error' });
    } catch (error) {
      throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `The token endpoint could not be reached: ${(error as Error).message}.`);
    }
    const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok) {
      const said = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
      throw new OidcRefusal(response.status >= 500 ? 'OIDC.PROVIDER_UNAVAILABLE' : 'OIDC.CODE_REJECTED', `(HTTP ${response.status}${said ? `, ${said}` : ''})`);
    }
    if (typeof body.id_token !== 'string') throw new OidcRefusal('OIDC.MALFORMED_TOKEN', 'The token endpoint answered without an id_token (is the openid scope granted?).');
    return verifyIdToken(body.id_token, this.keys, { issuer: metadata.issuer, clientId: this.settings.clientId, nonce: flow.nonce, nowSeconds });
  }

  private async discover(): Promise<ProviderMetadata> {
    if (this.metadata && Date.now() - this.metadata.fetchedAt < METADATA_TTL_MS) return this.metadata.value;
    const url = `${this.settings.issuer}/.well-known/openid-configuration`;
    const document = (await fetchJson(url, 'the discovery document')) as Partial<ProviderMetadata>;
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof document[field] !== 'string') throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `The discovery document at ${url} has no ${field}.`);
    }
    // OpenID Connect Discovery §4.3: the document must name the issuer we asked (a mix-up defence).
    if (document.issuer!.replace(/\/+$/, '') !== this.settings.issuer) throw new OidcRefusal('OIDC.WRONG_ISSUER', `(the discovery document says ${document.issuer}, OIDC_ISSUER_URL says ${this.settings.issuer})`);
    if (document.code_challenge_methods_supported && !document.code_challenge_methods_supported.includes('S256')) {
      throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', 'The provider does not support PKCE with S256.');
    }
    this.metadata = { value: document as ProviderMetadata, fetchedAt: Date.now() };
    return this.metadata.value;
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
