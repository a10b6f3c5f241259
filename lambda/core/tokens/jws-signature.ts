/**
 * RS256 signatures of our own JWTs (RFC 7515 section 5, RFC 7518 section 3.3): signing
 * through the Signer port (one digest, one Sign call per token, KMS MessageType DIGEST), and
 * checking a signature against one of our published keys.
 */
import { constants, createPublicKey, verify as verifyRsaSignature } from 'node:crypto';
import { base64url, sha256 } from '../crypto';
import type { PublicJwk, Signer } from '../ports';

export async function signJwt(signer: Signer, typ: string, payload: Readonly<Record<string, unknown>>): Promise<string> {
  const kid = await signer.currentKeyId();
  const signingInput = `${encodeJson({ alg: 'RS256', typ, kid })}.${encodeJson(payload)}`;
  const signature = await signer.signDigest(kid, sha256(signingInput));
  return `${signingInput}.${base64url(signature)}`;
}

/** Whether `signatureB64` is this key's RS256 signature over `signingInput`. */
export function signatureMatches(jwk: PublicJwk, signingInput: string, signatureB64: string): boolean {
  if (jwk.kty !== 'RSA' || jwk.alg !== 'RS256') return false;
  const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  return verifyRsaSignature('sha256', Buffer.from(signingInput), { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(signatureB64, 'base64url'));
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
