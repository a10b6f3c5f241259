/**
 * Sealed cookies: state that only the browser needs between two requests (a pending
 * authorization, the upstream state, the login session) travels with the browser instead
 * of in a table row, encrypted and authenticated with AES-256-GCM.
 *
 * value = base64url(version | keyIdLength | keyId | iv(12) | ciphertext | tag(16))
 *
 * The additional authenticated data binds the version, the cookie's name and the key id,
 * so a cookie cannot be replayed under another name (a pending authorization presented as
 * a session) and a key id cannot be swapped. The expiry is inside the sealed payload and
 * checked against the Clock: Max-Age is only the browser's courtesy. The IV comes from the
 * Random port (96 random bits per seal: far below GCM's 2^32 messages per key bound for
 * random IVs at any realistic cookie rate of one key's lifetime).
 *
 * Anything that does not open (tampered, truncated, another key, another name, expired,
 * not JSON) is simply absent: the caller treats it as no cookie, never as an error.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CookieKey, CookieKeyRing, Random } from '../ports';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** What every sealed payload carries besides its own fields. */
interface Envelope {
  /** Expiry, epoch seconds. */
  readonly exp: number;
  readonly data: unknown;
}

export function sealCookie(ring: CookieKeyRing, random: Random, cookieName: string, data: unknown, expiresAt: number): string {
  const key = ring.current;
  assertUsableKey(key);
  const keyId = Buffer.from(key.id, 'ascii');
  const iv = Buffer.from(random.bytes(IV_BYTES));
  if (iv.length !== IV_BYTES) throw new Error('the Random port returned the wrong number of bytes');
  const cipher = createCipheriv('aes-256-gcm', key.secret, iv);
  cipher.setAAD(additionalData(cookieName, key.id));
  const plaintext = Buffer.from(JSON.stringify({ exp: expiresAt, data } satisfies Envelope), 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION, keyId.length]), keyId, iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed data, or undefined when the value does not open under an accepted key for this name, or has expired. */
export function openCookie(ring: CookieKeyRing, cookieName: string, value: string, nowSeconds: number): unknown {
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length < 2 || bytes[0] !== VERSION) return undefined;
  const keyIdLength = bytes[1];
  const ivStart = 2 + keyIdLength;
  const ciphertextStart = ivStart + IV_BYTES;
  if (bytes.length < ciphertextStart + TAG_BYTES) return undefined;
  const keyId = bytes.subarray(2, ivStart).toString('ascii');
  const key = ring.accepted.find((candidate) => candidate.id === keyId);
  if (!key || !KEY_ID.test(keyId)) return undefined;
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.secret, bytes.subarray(ivStart, ciphertextStart), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(cookieName, keyId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    plaintext = Buffer.concat([decipher.update(bytes.subarray(ciphertextStart, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined; // the tag did not verify: tampered, another key, another name
  }
  let envelope: Partial<Envelope>;
  try {
    envelope = JSON.parse(plaintext.toString('utf8')) as Partial<Envelope>;
  } catch {
    return undefined;
  }
  if (typeof envelope.exp !== 'number' || envelope.exp <= nowSeconds) return undefined;
  return envelope.data;
}

function additionalData(cookieName: string, keyId: string): Buffer {
  return Buffer.from(`mcp-oauth sealed cookie v${VERSION}\u0000${cookieName}\u0000${keyId}`, 'utf8');
}

function assertUsableKey(key: CookieKey): void {
  if (!KEY_ID.test(key.id)) throw new Error(`cookie key id ${JSON.stringify(key.id)} must be 1 to 32 characters of [A-Za-z0-9._-]`);
  if (key.secret.length !== KEY_BYTES) throw new Error(`cookie key ${key.id} must be ${KEY_BYTES} bytes`);
}
