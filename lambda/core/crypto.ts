/**
 * Hashing and comparison for secrets at rest. Codes, refresh tokens, client secrets,
 * session cookies and CSRF tokens are stored only as SHA-256 (they are 256-bit random
 * values, so a fast hash is enough: there is nothing to brute-force) and compared in
 * constant time. Random values come from the Random port, never from here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Random } from './ports';

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function sha256(input: string | Uint8Array): Uint8Array {
  return createHash('sha256').update(input).digest();
}

export function sha256Base64url(input: string | Uint8Array): string {
  return base64url(sha256(input));
}

/** Constant-time equality of two strings; unequal lengths compare a hash so timing reveals nothing about the prefix. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = sha256(a);
  const right = sha256(b);
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** A 256-bit random token, base64url (43 characters). */
export function randomToken(random: Random, bytes = 32): string {
  return base64url(random.bytes(bytes));
}
