import type { createClient } from '@clickhouse/client';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;
type Settings = Record<string, unknown>;

const PER_CALL_METHODS = new Set(['query', 'insert', 'command', 'exec']);

/**
 * chDB's connection applies a call's `clickhouse_settings` as session-wide `SET`s that outlive the call: after one
 * insert with an `insert_deduplication_token`, every later insert without one reused that token, and on the tables
 * with a deduplication window (every otel_* table) the second such insert was silently dropped as a duplicate. A
 * server applies settings per request. This wrapper restores that: a call names every setting an earlier call set,
 * with the engine's default (`defaults`, from system.settings) where it sets none itself — in the same statement
 * batch as the call, so concurrent calls cannot see each other's settings either.
 */
export function isolateChdbSettings(connection: ClientConnection, defaults: ReadonlyMap<string, string>): ClientConnection {
  const touched = new Set<string>();
  return new Proxy(connection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      // The connection's methods read private fields: they must run on the connection, not on the proxy.
      if (typeof property !== 'string' || !PER_CALL_METHODS.has(property)) return (value as (...args: unknown[]) => unknown).bind(target);
      return (params: { clickhouse_settings?: Settings }) => {
        const own = params.clickhouse_settings ?? {};
        const reset: Settings = {};
        for (const key of touched) if (own[key] === undefined && defaults.has(key)) reset[key] = defaults.get(key);
        for (const [key, setting] of Object.entries(own)) if (setting !== undefined && defaults.has(key)) touched.add(key);
        const settings = { ...reset, ...own };
        return (value as (p: unknown) => unknown).call(target, Object.keys(settings).length > 0 ? { ...params, clickhouse_settings: settings } : params);
      };
    },
  });
}
