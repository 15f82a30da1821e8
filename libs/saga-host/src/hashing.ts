import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/** Namespace of the ids the saga derives (uuid v5): the same seed always names the same aggregate. */
export const SAGA_ID_NAMESPACE = '3a0c6f7e-5d1b-4f4e-9a37-2b8e4c1d9f60';

/** The action hash: sha256 (hex) of `actionHashInput(action, version)`. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A uuid v5 of the seed (`approval:<eventId>` → a uuid), so stream ids stay short and uniform. */
export const uuidFromSeed = (seed: string): string => uuidv5(seed, SAGA_ID_NAMESPACE);
