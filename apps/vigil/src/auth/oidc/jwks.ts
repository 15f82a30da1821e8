import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { OidcRefusal } from './oidc-refusal';

export type SigningAlgorithm = 'RS256' | 'ES256';

interface Jwk extends JsonWebKey {
  kid?: string;
  use?: string;
  alg?: string;
}

const KEY_TYPE: Record<SigningAlgorithm, (jwk: Jwk) => boolean> = {
  RS256: (jwk) => jwk.kty === 'RSA',
  ES256: (jwk) => jwk.kty === 'EC' && jwk.crv === 'P-256',
};

/**
 * The provider's signing keys, cached; an unknown kid triggers one refetch (the provider rotated its keys).
 * Concurrent refetches share one request. No cool-down is needed: ID tokens only come from the token endpoint over
 * the provider's own connection, so nobody outside can make us refetch at will.
 */
export class JwksCache {
  private keys: Jwk[] = [];
  private refetch?: Promise<void>;

  constructor(private readonly jwksUri: () => Promise<string>) {}

  async keyFor(kid: string | undefined, algorithm: SigningAlgorithm): Promise<KeyObject> {
    let jwk = this.find(kid, algorithm);
    if (!jwk) {
      await this.reload();
      jwk = this.find(kid, algorithm);
    }
    if (!jwk) throw new OidcRefusal('OIDC.UNKNOWN_KEY', kid ? `(kid ${kid})` : '(the token names no kid)');
    try {
      return createPublicKey({ key: jwk, format: 'jwk' });
    } catch (error) {
      throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `Its key ${kid ?? ''} is not usable: ${(error as Error).message}`);
    }
  }

  private find(kid: string | undefined, algorithm: SigningAlgorithm): Jwk | undefined {
    const usable = this.keys.filter((jwk) => jwk.use !== 'enc' && (!jwk.alg || jwk.alg === algorithm) && KEY_TYPE[algorithm](jwk));
    // Without a kid the token can only mean the provider's single key of that type.
    return kid === undefined ? (usable.length === 1 ? usable[0] : undefined) : usable.find((jwk) => jwk.kid === kid);
  }

  private reload(): Promise<void> {
    this.refetch ??= this.fetchKeys().finally(() => (this.refetch = undefined));
    return this.refetch;
  }

  private async fetchKeys(): Promise<void> {
    const uri = await this.jwksUri();
    const document = await fetchJson(uri, 'its keys (jwks_uri)');
    const keys = (document as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `${uri} has no keys array.`);
    this.keys = keys as Jwk[];
  }
}

/** GET with a deadline; anything but a JSON 200 is the provider being unavailable. */
export async function fetchJson(url: string, what: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(10_000), redirect: 'error' });
  } catch (error) {
    throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `Fetching ${what} from ${url} failed: ${(error as Error).message}.`);
  }
  if (!response.ok) throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `Fetching ${what} from ${url} answered HTTP ${response.status}.`);
  try {
    return await response.json();
  } catch {
    throw new OidcRefusal('OIDC.PROVIDER_UNAVAILABLE', `${what} at ${url} is not JSON.`);
  }
}
