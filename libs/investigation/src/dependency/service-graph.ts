/**
 * The service graph, built from parent/child span edges: a ClickHouse query joining each span to its parent gives
 * one row per (caller service, callee service) with counts. Edges point from caller to callee.
 */
export interface SpanEdge {
  readonly caller: string;
  readonly callee: string;
  /** Calls in the window; edges with 0 calls are kept (the graph is about topology). */
  readonly calls?: number;
  readonly errors?: number;
}

export interface ServiceGraph {
  readonly services: readonly string[];
  /** Services `service` calls directly (sorted). */
  callees(service: string): readonly string[];
  /** Services calling `service` directly (sorted). */
  callers(service: string): readonly string[];
  /** Calls on the caller → callee edge (0 when unknown or absent). */
  calls(caller: string, callee: string): number;
  has(service: string): boolean;
}

/** Builds the graph; self-calls (a service calling itself) are dropped, parallel edges summed. */
export function buildServiceGraph(edges: readonly SpanEdge[], extraServices: readonly string[] = []): ServiceGraph {
  const down = new Map<string, Set<string>>();
  const up = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  const nodes = new Set<string>(extraServices);
  for (const edge of edges) {
    nodes.add(edge.caller);
    nodes.add(edge.callee);
    if (edge.caller === edge.callee) continue;
    setOf(down, edge.caller).add(edge.callee);
    setOf(up, edge.callee).add(edge.caller);
    const key = `${edge.caller}\u0000${edge.callee}`;
    counts.set(key, (counts.get(key) ?? 0) + (edge.calls ?? 0));
  }
  const sorted = (set: Set<string> | undefined): readonly string[] => (set ? [...set].sort() : []);
  const calleeLists = new Map([...down].map(([service, set]) => [service, sorted(set)]));
  const callerLists = new Map([...up].map(([service, set]) => [service, sorted(set)]));
  return {
    services: [...nodes].sort(),
    callees: (service) => calleeLists.get(service) ?? [],
    callers: (service) => callerLists.get(service) ?? [],
    calls: (caller, callee) => counts.get(`${caller}\u0000${callee}`) ?? 0,
    has: (service) => nodes.has(service),
  };
}

/** Hop distance from `from` to every service reachable along caller → callee edges (cycles are fine). */
export function downstreamDistances(graph: ServiceGraph, from: string): Map<string, number> {
  return bfs(from, (service) => graph.callees(service));
}

/** Hop distance from `to` to every service that (transitively) calls it. */
export function upstreamDistances(graph: ServiceGraph, to: string): Map<string, number> {
  return bfs(to, (service) => graph.callers(service));
}

/** Every service that depends on `service`, directly or through others (its blast radius in the call graph). */
export function dependentsOf(graph: ServiceGraph, service: string): readonly string[] {
  return [...upstreamDistances(graph, service).keys()].filter((other) => other !== service).sort();
}

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function bfs(start: string, next: (service: string) => readonly string[]): Map<string, number> {
  const distance = new Map<string, number>([[start, 0]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i];
    for (const neighbour of next(current)) {
      if (distance.has(neighbour)) continue;
      distance.set(neighbour, (distance.get(current) ?? 0) + 1);
      queue.push(neighbour);
    }
  }
  return distance;
}
