import type { KMSClient } from '@aws-sdk/client-kms';
import { kmsSdk } from '../aws-clients/sdk-packages';
import { hkdfSync } from 'node:crypto';
import type { CookieKey, CookieKeyRing, CookieKeys } from '../../core/ports';
import { translateKmsError } from './kms-errors';

export interface KmsCookieKeysOptions {
  readonly kms: Pick<KMSClient, 'send'>;
  /** Key id or ARN of the HMAC_256 key (KeyUsage GENERATE_VERIFY_MAC) that the cookie keys derive from. */
  readonly macKeyId: string;
  /** The label version that seals new cookies. @default COOKIE_KEY_VERSIONS.current */
  readonly currentVersion?: number;
  /** Older label versions still opened, for as long as a cookie sealed under them may live. @default COOKIE_KEY_VERSIONS.previous */
  readonly previousVersions?: readonly number[];
}

/**
 * The label versions in use. Rotating the cookie key (docs/key-rotation.md): make a new
 * version current and keep the old one in `previous` for the longest cookie lifetime
 * (tokens.loginSessionSeconds), then drop it.
 */
export const COOKIE_KEY_VERSIONS = { current: 1, previous: [] as readonly number[] } as const;

/** The HKDF info: names what the derived bytes are for, so the same MAC could never key anything else by accident. */
const HKDF_INFO = 'mcp-oauth-aws sealed cookies AES-256-GCM';

/**
 * Cookie keys derived from a KMS HMAC key whose material never leaves KMS: one GenerateMac
 * per label version over a fixed label (`mcp-oauth-aws cookie key v<N>`), then HKDF-SHA256
 * to the 32-byte AES key. Deterministic, so every container of every function derives the
 * same key without a stored ciphertext or a custom resource. Derived lazily, on the first
 * request that opens or seals a cookie (never at init: the functions that never touch a
 * cookie never call KMS), and kept for the container's life. A failed derivation is not
 * kept: the next request tries again.
 */
export class KmsCookieKeys implements CookieKeys {
  private loading?: Promise<CookieKeyRing>;
  private readonly currentVersion: number;
  private readonly previousVersions: readonly number[];

  constructor(private readonly options: KmsCookieKeysOptions) {
    if (!options.macKeyId) throw new Error('KmsCookieKeys needs the id of a KMS HMAC key');
    this.currentVersion = options.currentVersion ?? COOKIE_KEY_VERSIONS.current;
    this.previousVersions = (options.previousVersions ?? COOKIE_KEY_VERSIONS.previous).filter((version) => version !== this.currentVersion);
  }

  keyRing(): Promise<CookieKeyRing> {
    this.loading ??= this.derive().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async derive(): Promise<CookieKeyRing> {
    const [current, ...previous] = await Promise.all([this.currentVersion, ...this.previousVersions].map((version) => this.keyOf(version)));
    return { current, accepted: [current, ...previous] };
  }

  private async keyOf(version: number): Promise<CookieKey> {
    let mac: Uint8Array | undefined;
    try {
      const answer = await this.options.kms.send(
        new (kmsSdk().GenerateMacCommand)({ KeyId: this.options.macKeyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(`mcp-oauth-aws cookie key v${version}`, 'utf8') }),
      );
      mac = answer.Mac;
    } catch (error) {
      translateKmsError(error);
    }
    if (!mac || mac.length !== 32) throw new Error('KMS GenerateMac returned no 32-byte HMAC-SHA-256');
    return { id: `kms-v${version}`, secret: new Uint8Array(hkdfSync('sha256', mac, new Uint8Array(0), HKDF_INFO, 32)) };
  }
}
