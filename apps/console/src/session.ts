import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { Api } from './lib/api';
import { LiveEvents } from './lib/live';
import { Me } from './lib/types';

export interface Session {
  readonly api: Api;
  readonly me: Me;
  readonly live: LiveEvents;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in shell');
  return session;
}

const TOKEN_KEY = 'vigil.token';

/** The API token lives for the browser tab only (sessionStorage): closing the tab signs out. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};
