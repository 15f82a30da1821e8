import { createHash } from 'node:crypto';

const EMPTY_ROOT = createHash('sha256').update('').digest('hex');

/** RFC 6962 Merkle tree hash over hex leaves: leaf = H(0x00‖leaf), node = H(0x01‖left‖right). */
export function merkleRoot(leavesHex: readonly string[]): string {
  if (leavesHex.length === 0) return EMPTY_ROOT;
  let level: Buffer[] = leavesHex.map((leaf) => createHash('sha256').update(Buffer.from([0])).update(Buffer.from(leaf, 'hex')).digest());
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 === level.length) next.push(level[i]);
      else next.push(createHash('sha256').update(Buffer.from([1])).update(level[i]).update(level[i + 1]).digest());
    }
    level = next;
  }
  return level[0].toString('hex');
}
