import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CookieKeyRing, CookieKeys } from '../../core/ports';

/**
 * Local mode's cookie key: 32 random bytes, base64url, in a file next to the local signing
 * key, created on first run with the same care (mode 0600, never overwriting a file that
 * appeared meanwhile). Deleting the file logs every browser out and voids pending requests.
 */
export class LocalCookieKeys implements CookieKeys {
  private constructor(private readonly ring: CookieKeyRing) {}

  static fromFile(path: string): { readonly cookieKeys: LocalCookieKeys; readonly created: boolean } {
    const created = !existsSync(path);
    const secret = created ? createKeyFile(path) : readKeyFile(path);
    // The id names the key without revealing it: a cookie from an older data folder is recognised as not ours.
    const key = { id: `local-${createHash('sha256').update(secret).digest('base64url').slice(0, 8)}`, secret };
    return { cookieKeys: new LocalCookieKeys({ current: key, accepted: [key] }), created };
  }

  async keyRing(): Promise<CookieKeyRing> {
    return this.ring;
  }
}

function readKeyFile(path: string): Uint8Array {
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  if (secret.length !== 32) throw new Error(`${path} is not a cookie key (32 bytes, base64url): delete it to have a new one created`);
  return new Uint8Array(secret);
}

function createKeyFile(path: string): Uint8Array {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  // 'wx' refuses to overwrite a file that appeared meanwhile; mode applies at creation.
  writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return new Uint8Array(secret);
}
