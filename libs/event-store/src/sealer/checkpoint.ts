import { canonicalJson } from '@vigil/domain/shared';
import { sha256Hex } from '../hashing';

export const GENESIS_CHECKPOINT_HASH = '0'.repeat(64);

export interface AuditCheckpoint {
  readonly seq: number;
  /** Exclusive lower bound in the global order ("commit:prepare"). */
  readonly fromPosition: string;
  /** Inclusive upper bound. */
  readonly toPosition: string;
  readonly eventCount: number;
  readonly merkleRoot: string;
  readonly prevCheckpointHash: string;
  readonly sealedAt: string;
  readonly keyId: string;
  readonly hash: string;
  readonly signature: string;
}

export function checkpointHash(checkpoint: Omit<AuditCheckpoint, 'hash' | 'signature'>): string {
  return sha256Hex(
    canonicalJson({
      seq: checkpoint.seq,
      fromPosition: checkpoint.fromPosition,
      toPosition: checkpoint.toPosition,
      eventCount: checkpoint.eventCount,
      merkleRoot: checkpoint.merkleRoot,
      prevCheckpointHash: checkpoint.prevCheckpointHash,
      sealedAt: checkpoint.sealedAt,
      keyId: checkpoint.keyId,
    }),
  );
}
