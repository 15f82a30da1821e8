/**
 * Single sign-on in the browser. The server does the protocol (PKCE, state, nonce, code exchange, ID token checks);
 * the console starts it, and on OIDC_REDIRECT_URL relays what the provider put on the URL back to the server, which
 * answers a session token used exactly like an API token.
 */
import { Api } from './api';

/** The SSO endpoints are public: they are how one gets a token. */
const anonymous = new Api('');

/** Whether this server offers SSO; a server without the endpoint does not. */
export async function ssoEnabled(): Promise<boolean> {
  try {
    return (await anonymous.get<{ enabled: boolean }>('/api/auth/oidc')).enabled;
  } catch {
    return false;
  }
}

/** Leaves for the identity provider's sign-in page (the server sets the flow cookie first). */
export async function startSso(): Promise<void> {
  const { authorizationUrl } = await anonymous.post<{ authorizationUrl: string }>('/api/auth/oidc/login', {});
  window.location.assign(authorizationUrl);
}

/** The provider's answer on the redirect URL (`?code&state` or `?error&state`), if this page load is one. */
export function ssoCallbackParams(): Record<string, string> | undefined {
  const params = new URLSearchParams(window.location.search);
  if (!params.has('state') || !(params.has('code') || params.has('error'))) return undefined;
  const wanted = ['code', 'state', 'error', 'error_description'];
  return Object.fromEntries([...params].filter(([name]) => wanted.includes(name)));
}

/** Finishes the sign-in; the URL is cleaned first so a reload or the back button never replays the code. */
export async function completeSso(params: Record<string, string>): Promise<string> {
  window.history.replaceState(null, '', '/');
  return (await anonymous.post<{ token: string }>('/api/auth/oidc/callback', params)).token;
}

/** SSO session tokens are ended on the server too (API tokens stay valid: they are not the console's to revoke). */
export async function endSsoSession(token: string): Promise<void> {
  if (!token.startsWith('vgs_')) return;
  await new Api(token).post('/api/auth/oidc/sign-out', {}).catch(() => undefined);
}
