import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from './session';
import { StoredEvent } from './lib/types';

export interface Async<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change and on `reload()`; keeps the last data while reloading so live refreshes don't flicker. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error: unknown) => !abort.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => abort.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The current time, re-rendering every `intervalMs` (live countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * Calls `onChange` soon after a live event that `matches`, and once more a little later, because read models follow
 * the log by a moment. Also polls every `pollMs` as a safety net should the stream be down.
 */
export function useLiveRefresh(matches: (event: StoredEvent) => boolean, onChange: () => void, pollMs = 15000): void {
  const { live } = useSession();
  const matchRef = useRef(matches);
  const changeRef = useRef(onChange);
  matchRef.current = matches;
  changeRef.current = onChange;
  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const later = (ms: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        changeRef.current();
      }, ms);
      timers.add(timer);
    };
    let pending = false;
    const unsubscribe = live.subscribe((event) => {
      if (!matchRef.current(event) || pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
      }, 150);
      later(150);
      later(1000);
      later(3000);
    });
    const poll = setInterval(() => changeRef.current(), pollMs);
    return () => {
      unsubscribe();
      clearInterval(poll);
      for (const timer of timers) clearTimeout(timer);
    };
  }, [live, pollMs]);
}

/** `#/path/parts?query` → parts and query; updates on hashchange. */
export function useRoute(): { parts: string[]; query: URLSearchParams } {
  const parse = () => {
    const hash = window.location.hash.replace(/^#\/?/, '');
    const [path, search] = hash.split('?', 2);
    return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search ?? '') };
  };
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onHash = () => setRoute(parse());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

export const navigate = (hash: string) => {
  window.location.hash = hash;
};
