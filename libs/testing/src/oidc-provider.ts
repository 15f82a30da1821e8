import { createHash, generateKeyPairSync, JsonWebKey, KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** The person the provider signs in without asking (any claim goes into the ID token as is). */
export interface OidcTestUser {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly preferred_username?: string;
  readonly name?: string;
  readonly groups?: readonly string[];
  readonly [claim: string]: unknown;
}

/** Ways the provider can be told to go wrong, one sign-in at a time or until `behave()`. */
export interface OidcMisbehaviour {
  /** aud of the ID token (another application's client id). */
  readonly audience?: string;
  readonly issuer?: string;
  /** exp relative to now; negative: an expired token. */
  readonly expiresInSeconds?: number;
  /** iat relative to now; positive: issued in the future. */
  readonly issuedAtOffsetSeconds?: number;
  /** The signature no longer matches the token (one byte of the claims changed after signing). */
  readonly tamperedClaims?: boolean;
  /** Signed with a key that is not in the JWKS. */
  readonly unpublishedKey?: boolean;
  readonly nonce?: string;
  readonly algorithm?: 'RS256' | 'ES256' | 'none' | 'HS256';
  /** /authorize answers error=access_denied instead of a code. */
  readonly denyAccess?: boolean;
}

export interface OidcTestProviderOptions {
  readonly clientId: string;
  /** Omitted: a public client (PKCE only). */
  readonly clientSecret?: string;
  /** How the provider insists on being given the secret. */
  readonly clientAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  readonly user: OidcTestUser;
}

interface SigningKey {
  readonly kid: string;
  readonly algorithm: 'RS256' | 'ES256';
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey & { kid: string; alg: string; use: string };
}

interface IssuedCode {
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce?: string;
  readonly user: OidcTestUser;
  used: boolean;
}

function newKey(algorithm: 'RS256' | 'ES256'): SigningKey {
  const { privateKey, publicKey } = algorithm === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `${algorithm.toLowerCase()}-${randomBytes(6).toString('hex')}`;
  return { kid, algorithm, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: algorithm, use: 'sig' } };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A local OpenID Provider for tests: discovery, /authorize (auto-approves `user`, redirects with code and state),
 * /token (checks the code, the PKCE verifier, redirect_uri and client authentication; answers an ID token signed
 * with a generated RSA or EC key) and /jwks. `misbehave` makes it issue bad tokens; `rotateKeys` replaces its keys.
 */
export class OidcTestProvider {
  user: OidcTestUser;
  /** How many times the JWKS was fetched (to see caching and refetch on rotation). */
  jwksFetches = 0;
  /** How the client authenticated at /token, per request. */
  readonly clientAuthentications: ('client_secret_basic' | 'client_secret_post' | 'none')[] = [];
  private keys = { RS256: newKey('RS256'), ES256: newKey('ES256') };
  private readonly unpublished = newKey('RS256');
  private readonly codes = new Map<string, IssuedCode>();
  private misbehaviour: OidcMisbehaviour = {};
  private misbehaveOnce = false;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly options: OidcTestProviderOptions,
  ) {
    this.user = options.user;
  }

  static async start(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const provider = new OidcTestProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      provider.handle(request, response).catch((error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message));
    });
    return provider;
  }

  /** Misbehave for the next token only (`once`, the default) or until `behave()`. */
  misbehave(misbehaviour: OidcMisbehaviour, { once = true } = {}): void {
    this.misbehaviour = misbehaviour;
    this.misbehaveOnce = once;
  }

  behave(): void {
    this.misbehaviour = {};
  }

  /** New keys with new kids; the old ones leave the JWKS (tokens signed before no longer verify). */
  rotateKeys(): void {
    this.keys = { RS256: newKey('RS256'), ES256: newKey('ES256') };
  }

  get jwks(): { keys: JsonWebKey[] } {
    return { keys: [this.keys.RS256.jwk, this.keys.ES256.jwk] };
  }

  /** An ID token as /token would issue it, for specs that need one without a browser. */
  idToken(claims: Record<string, unknown>, misbehaviour: OidcMisbehaviour = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: misbehaviour.issuer ?? this.issuer,
      aud: misbehaviour.audience ?? this.options.clientId,
      iat: now + (misbehaviour.issuedAtOffsetSeconds ?? 0),
      exp: now + (misbehaviour.expiresInSeconds ?? 300),
      ...claims,
      ...(misbehaviour.nonce !== undefined ? { nonce: misbehaviour.nonce } : {}),
    };
    const algorithm = misbehaviour.algorithm ?? 'RS256';
    if (algorithm === 'none' || algorithm === 'HS256') {
      const body = `${b64({ alg: algorithm, typ: 'JWT' })}.${b64(payload)}`;
      return `${body}.${algorithm === 'none' ? '' : randomBytes(32).toString('base64url')}`;
    }
    const key = misbehaviour.unpublishedKey ? this.unpublished : this.keys[algorithm];
    const body = `${b64({ alg: algorithm, kid: key.kid, typ: 'JWT' })}.${b64(payload)}`;
    const signature = sign('sha256', Buffer.from(body), algorithm === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey).toString('base64url');
    if (!misbehaviour.tamperedClaims) return `${body}.${signature}`;
    const tampered = { ...payload, email: 'mallory@example.com' };
    return `${b64({ alg: algorithm, kid: key.kid, typ: 'JWT' })}.${b64(tampered)}.${signature}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.issuer);
    const json = (status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /.well-known/openid-configuration':
        return json(200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          jwks_uri: `${this.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: this.options.clientSecret ? [this.options.clientAuthMethod ?? 'client_secret_basic'] : ['none'],
        });
      case 'GET /jwks':
        this.jwksFetches += 1;
        return json(200, this.jwks);
      case 'GET /authorize':
        return this.authorize(url.searchParams, response);
      case 'POST /token':
        return this.token(request, response, json);
      default:
        return json(404, { error: 'not_found' });
    }
  }

  private authorize(params: URLSearchParams, response: ServerResponse): void {
    const problem =
      params.get('response_type') !== 'code' ? 'response_type must be code'
      : params.get('client_id') !== this.options.clientId ? 'unknown client_id'
      : !params.get('redirect_uri') ? 'redirect_uri missing'
      : params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge') ? 'PKCE with S256 is required'
      : !params.get('state') ? 'state missing'
      : !params.get('scope')?.split(' ').includes('openid') ? 'the openid scope is missing'
      : undefined;
    if (problem) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(problem);
      return;
    }
    const back = new URL(params.get('redirect_uri')!);
    back.searchParams.set('state', params.get('state')!);
    if (this.misbehaviour.denyAccess) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user is not assigned to this application');
      if (this.misbehaveOnce) this.behave();
    } else {
      const code = randomBytes(24).toString('base64url');
      this.codes.set(code, { redirectUri: back.origin + back.pathname, challenge: params.get('code_challenge')!, nonce: params.get('nonce') ?? undefined, user: this.user, used: false });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.href }).end();
  }

  private async token(request: IncomingMessage, response: ServerResponse, json: (status: number, body: unknown) => void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' '))) : [];
    const method = basic ? 'client_secret_basic' : form.has('client_secret') ? 'client_secret_post' : 'none';
    this.clientAuthentications.push(method);
    const clientId = basicId ?? form.get('client_id');
    const secret = basicSecret ?? form.get('client_secret') ?? undefined;
    const expectedMethod = this.options.clientSecret ? (this.options.clientAuthMethod ?? 'client_secret_basic') : 'none';
    if (clientId !== this.options.clientId || secret !== this.options.clientSecret || method !== expectedMethod) return json(401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'authorization_code') return json(400, { error: 'unsupported_grant_type' });
    const issued = this.codes.get(form.get('code') ?? '');
    if (!issued || issued.used) return json(400, { error: 'invalid_grant', error_description: 'unknown or used code' });
    issued.used = true;
    if (form.get('redirect_uri') !== issued.redirectUri) return json(400, { error: 'invalid_grant', error_description: 'redirect_uri differs from the authorization request' });
    const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
    if (challenge !== issued.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    const misbehaviour = this.misbehaviour;
    if (this.misbehaveOnce) this.behave();
    const idToken = this.idToken({ ...issued.user, ...(issued.nonce ? { nonce: issued.nonce } : {}) }, misbehaviour);
    return json(200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
}
