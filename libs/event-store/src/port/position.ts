/**
 * A place in the global order. Mirrors EventStoreDB's $all position: `commit` orders, `prepare` breaks ties.
 * PostgreSQL adapter: commit = transaction_id (xid8), prepare = global_position (bigserial).
 */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const START: GlobalPosition = Object.freeze({ commit: 0n, prepare: 0n });

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** `"<commit>:<prepare>"`: safe in JSON, URLs and logs. */
export function formatPosition(position: GlobalPosition): string {
  return `${position.commit}:${position.prepare}`;
}

export function parsePosition(text: string): GlobalPosition {
  const match = /^(\d+):(\d+)$/.exec(text.trim());
  if (!match) throw new TypeError(`Not a position (expected "<commit>:<prepare>"): ${text}`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}
