import { useState } from 'preact/hooks';
import { ErrorBox } from '../components/common';

interface Props {
  readonly onSignIn: (token: string) => Promise<void>;
  readonly initialError?: unknown;
}

/** Sign in with an API token (`npm run vigil -- users …` issues them). OIDC is not configured on this deployment. */
export function SignIn({ onSignIn, initialError }: Props) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);
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
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} aria-describedby="token-help" />
        <p id="token-help" class="muted small">
          Your personal API token. It is kept for this browser tab only and sent as a bearer token.
        </p>
        <button type="submit" class="primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorBox error={error} title="Could not sign in" />
        <p class="muted small oidc-note">Single sign-on (OIDC) is not configured on this server; use an API token.</p>
      </form>
    </main>
  );
}
