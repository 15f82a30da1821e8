import { useEffect, useMemo, useState } from 'preact/hooks';
import { Loading } from './components/common';
import { useRoute } from './hooks';
import { Api, ApiError } from './lib/api';
import { LiveEvents, LiveState } from './lib/live';
import { completeSso, endSsoSession, ssoCallbackParams } from './lib/oidc';
import { Me, MUTATING_ROLES } from './lib/types';
import { ApprovalStatus } from './lib/types';
import { Audit } from './screens/Audit';
import { ApprovalPage, ExecutionPage, Incident, Incidents } from './screens/Incident';
import { Queue } from './screens/Queue';
import { SignIn } from './screens/SignIn';
import { TimeTravel } from './screens/TimeTravel';
import { Session, SessionContext, tokenStore, useSession } from './session';

/** Who the token belongs to. Falls back to a token check (roles unknown) on a server without /api/me. */
async function whoAmI(api: Api): Promise<Me> {
  try {
    const me = await api.get<{ id: string; roles: string[]; email?: string }>('/api/me');
    return { id: me.id, roles: me.roles, email: me.email, rolesKnown: true };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    await api.get('/api/approvals?status=pending');
    return { id: 'unknown', roles: [], rolesKnown: false };
  }
}

const STATUSES: readonly string[] = ['pending', 'granted', 'rejected', 'expired', 'cancelled'];

function LiveIndicator() {
  const { live } = useSession();
  const [state, setState] = useState<LiveState>(live.state);
  useEffect(() => {
    const unsubscribe = live.onState(setState);
    setState(live.state); // it may have changed between the first render and this subscription
    return unsubscribe;
  }, [live]);
  const text = state === 'live' ? 'Live' : state === 'closed' ? 'Offline' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span class={`live live-${state}`} role="status" title="Updates arrive over Server-Sent Events">
      <span aria-hidden="true">●</span> {text}
    </span>
  );
}

function Routes() {
  const { me } = useSession();
  const { parts, query } = useRoute();
  const [section, id] = parts;
  const isAuditor = me.rolesKnown && !me.roles.some((r) => MUTATING_ROLES.includes(r));
  useEffect(() => {
    if (!section) window.location.replace(isAuditor ? '#/audit' : '#/queue');
  }, [section, isAuditor]);
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [section, id]);
  switch (section) {
    case 'queue': {
      const status = (STATUSES.includes(query.get('status') ?? '') ? query.get('status') : 'pending') as ApprovalStatus;
      return <Queue selectedId={id} status={status} />;
    }
    case 'approvals':
      return id ? <ApprovalPage id={id} /> : <Queue status="pending" />;
    case 'incidents':
      return id ? <Incident anomalyId={id} asOf={query.get('asOf') ?? undefined} /> : <Incidents status={query.get('status') ?? 'open'} />;
    case 'executions':
      return id ? <ExecutionPage id={id} /> : <p>Pick an execution from an incident.</p>;
    case 'audit':
      return id === 'travel' ? <TimeTravel query={query} /> : <Audit query={query} />;
    default:
      return <Loading what="the console" />;
  }
}

function Shell() {
  const { me, signOut } = useSession();
  const { parts } = useRoute();
  const here = parts[0] === 'approvals' ? 'queue' : parts[0] === 'executions' ? 'incidents' : parts[0];
  const link = (section: string, text: string) => (
    <a href={`#/${section}`} aria-current={here === section ? 'page' : undefined}>
      {text}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Vigil</span>
        <nav aria-label="Main">
          {link('queue', 'Approvals')}
          {link('incidents', 'Incidents')}
          {link('audit', 'Audit')}
        </nav>
        <span class="who">
          <LiveIndicator /> <span class="user" data-user={me.id}>{me.id}</span>{' '}
          <span class="muted small">({me.rolesKnown ? me.roles.join(', ') || 'no role' : 'roles unknown'})</span>{' '}
          <button type="button" class="small" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [ssoCallback] = useState(ssoCallbackParams);
  const [booting, setBooting] = useState(Boolean(tokenStore.get() || ssoCallback));
  const [bootError, setBootError] = useState<unknown>();

  const endSession = useMemo(
    () => () => {
      tokenStore.clear();
      setSession((s) => {
        s?.live.stop();
        return null;
      });
    },
    [],
  );
  /** The Sign out button: an SSO session also ends on the server. */
  const signOut = useMemo(
    () => () => {
      const token = tokenStore.get();
      if (token) void endSsoSession(token);
      endSession();
    },
    [endSession],
  );

  const signIn = async (token: string) => {
    const api = new Api(token, () => {
      setBootError(new ApiError(401, 'AUTH.UNAUTHENTICATED', 'The token was refused.'));
      endSession();
    });
    const me = await whoAmI(new Api(token));
    tokenStore.set(token);
    const live = new LiveEvents(api);
    live.start();
    setSession({ api, me, live, signOut });
  };

  useEffect(() => {
    // Back from the identity provider, or a token kept from earlier in this tab.
    const saved = tokenStore.get();
    const token = ssoCallback ? completeSso(ssoCallback) : saved ? Promise.resolve(saved) : undefined;
    if (!token) return;
    token
      .then(signIn)
      .catch((error: unknown) => {
        tokenStore.clear();
        setBootError(error);
      })
      .finally(() => setBooting(false));
  }, []);

  useEffect(() => () => session?.live.stop(), [session]);

  if (booting && !session) return <Loading what="your session" />;
  if (!session) return <SignIn onSignIn={signIn} initialError={bootError} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}
