/**
 * The keys that seal the browser cookies (lambda/core/authorization-server/sealed-cookie.ts).
 * Locally a key file; on AWS derived once per container from a KMS HMAC key. Rotation:
 * a new current key while the previous one stays accepted for the longest cookie lifetime.
 */

export interface CookieKey {
  /** Short and public: it travels in every cookie so the right key is tried first. */
  readonly id: string;
  /** 32 bytes: the AES-256-GCM key. */
  readonly secret: Uint8Array;
}

export interface CookieKeyRing {
  /** Seals every new cookie. */
  readonly current: CookieKey;
  /** Opens cookies: the current key and any previous ones still within a cookie lifetime. */
  readonly accepted: readonly CookieKey[];
}

export interface CookieKeys {
  /** Resolved once and kept (a KMS call the first time on AWS); throws DependencyUnavailableError when the key source does not answer. */
  keyRing(): Promise<CookieKeyRing>;
}
