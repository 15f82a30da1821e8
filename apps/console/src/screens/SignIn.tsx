import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../components/common';
import { ssoEnabled, startSso } from '../lib/oidc';

interface Props {
  readonly onSignIn: (token: string) => Promise<void>;
  readonly initialError?: unknown;
}

/** Sign in with an API token (`npm run vigil -- users …` issues them), or with SSO when the server has OIDC configured. */
export function SignIn({ onSignIn, initialError }: Props) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);
  const [sso, setSso] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    void ssoEnabled().then(setSso);
  }, []);
  return (
    <main class="signin" id="main">
      <h1>Vigil console</h1>
      <p>Nothing runs in production without the right humans' approval.</p>
      <form
        class="panel"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!token.trim()) return;
          setBusy(true);
          setError(undefined);
          try {
            await onSignIn(token.trim());
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2>Sign in</h2>
        {sso && (
          <>
            <button
              type="button"
              class="primary sso"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(undefined);
                try {
                  await startSso();
                } catch (err) {
                  setError(err);
                  setBusy(false);
                }
              }}
            >
              Sign in with SSO
            </button>
            <p class="muted small">Or with an API token:</p>
          </>
        )}
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} aria-describedby="token-help" />
        <p id="token-help" class="muted small">
          Your personal API token. It is kept for this browser tab only and sent as a bearer token.
        </p>
        <button type="submit" class={sso ? '' : 'primary'} disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorBox error={error} title="Could not sign in" />
        {sso === false && <p class="muted small oidc-note">Single sign-on (OIDC) is not configured on this server; use an API token.</p>}
      </form>
    </main>
  );
}
