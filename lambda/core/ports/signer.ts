/** The signing port (KMS in AWS, a local key file in local mode): the core builds every JWT, the port only signs its digest. */

export interface PublicJwk {
  readonly kty: 'RSA';
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly n: string;
  readonly e: string;
}

/**
 * Signs JWTs with RS256. The core builds header and payload; the signer signs the
 * SHA-256 digest of the signing input (KMS MessageType DIGEST, RSASSA_PKCS1_V1_5_SHA_256),
 * so one token costs one Sign call whatever its size.
 */
export interface Signer {
  /** The kid of the key that signs now; stable per key. */
  currentKeyId(): Promise<string>;
  /** RSASSA-PKCS1-v1_5 signature over a SHA-256 digest, with the key named by keyId. */
  signDigest(keyId: string, sha256Digest: Uint8Array): Promise<Uint8Array>;
  /** Every key that verifiers must accept: the signing key, any key published ahead of rotation, and retired keys still inside a token lifetime. */
  publicKeys(): Promise<readonly PublicJwk[]>;
}
