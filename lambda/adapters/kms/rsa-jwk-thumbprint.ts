import { createHash } from 'node:crypto';

/**
 * The RFC 7638 JWK thumbprint of an RSA public key: SHA-256 over the required members in
 * lexicographic order, base64url. It is the `kid` of every signing key, in KMS and in local
 * mode alike, so a key keeps its kid wherever it is published and verifiers never need a
 * mapping table.
 */
export function rsaJwkThumbprint(jwk: { readonly n: string; readonly e: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}
