import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sha256Hex } from '../hashing';

/** Ed25519 key kept outside the database, so whoever controls the database cannot re-sign a rewritten log. */
export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`Signing key must be Ed25519, got ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

export interface LoadedSigningKey {
  readonly key: SigningKey;
  /** Set when the key was generated on this run (first start of an embedded install). */
  readonly generatedAt?: string;
}

/** VIGIL_SIGNING_KEY (PEM) wins, then a key file; with `generateIfMissing` the file is created (0600). */
export function loadSigningKey(options: { pem?: string; file?: string; generateIfMissing?: boolean }): LoadedSigningKey {
  if (options.pem) return { key: signingKeyFromPem(options.pem.replace(/\\n/g, '\n')) };
  if (!options.file) throw new Error('No audit signing key: set VIGIL_SIGNING_KEY or VIGIL_SIGNING_KEY_FILE');
  if (existsSync(options.file)) return { key: signingKeyFromPem(readFileSync(options.file, 'utf8')) };
  if (!options.generateIfMissing) throw new Error(`Audit signing key file not found: ${options.file}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(options.file), { recursive: true });
  writeFileSync(options.file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${options.file}.pub`, createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
  return { key: signingKeyFromPem(readFileSync(options.file, 'utf8')), generatedAt: options.file };
}

export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

export function signHex(key: SigningKey, hashHex: string): string {
  return sign(null, Buffer.from(hashHex, 'hex'), key.privateKey).toString('base64');
}

export function verifySignature(publicKey: KeyObject, hashHex: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(hashHex, 'hex'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
