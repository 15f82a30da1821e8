import { createHmac, timingSafeEqual } from 'node:crypto';

/** `base64url(JSON).base64url(HMAC-SHA256)`: a value only this server can have written, read back unchanged. */
export function seal(key: Buffer, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

export function unseal<T>(key: Buffer, sealed: string): T | undefined {
  const [body, signature, extra] = sealed.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
