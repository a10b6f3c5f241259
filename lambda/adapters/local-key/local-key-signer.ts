/**
 * The local stand-in for KMS: an RSA 2048 key in a PEM file, created on first run (0600,
 * owner only) and reused afterwards, so tokens survive a restart of local mode. It signs
 * exactly what KMS signs for MessageType DIGEST with RSASSA_PKCS1_V1_5_SHA_256 (the
 * DigestInfo-wrapped SHA-256, PKCS#1 v1.5 padded), and its kid is the RFC 7638 thumbprint,
 * the same rule the KMS signer uses. DEVELOPMENT ONLY: production keys never leave KMS.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PublicJwk, Signer } from '../../core/ports';
import { rsaJwkThumbprint } from '../kms/rsa-jwk-thumbprint';

/** DER prefix of DigestInfo { sha256, NULL } before the 32 digest bytes (RFC 8017 section 9.2). */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export class LocalKeySigner implements Signer {
  private readonly jwk: PublicJwk;

  private constructor(private readonly privateKey: KeyObject) {
    const details = privateKey.asymmetricKeyDetails;
    if (privateKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
      throw new Error('the signing key must be an RSA key of at least 2048 bits');
    }
    const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string };
    this.jwk = { kty: 'RSA', kid: rsaJwkThumbprint({ n, e }), alg: 'RS256', use: 'sig', n, e };
  }

  /** Loads the key at `path`, or creates it there (and its folder) when the file does not exist. */
  static fromFile(path: string): { signer: LocalKeySigner; created: boolean } {
    if (existsSync(path)) {
      let key: KeyObject;
      try {
        key = createPrivateKey(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(`${path} is not a readable PEM private key: delete it to have a new one created`, { cause: error });
      }
      return { signer: new LocalKeySigner(key), created: false };
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // 'wx' refuses to overwrite a file that appeared meanwhile; mode applies at creation.
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { signer: new LocalKeySigner(privateKey), created: true };
  }

  async currentKeyId(): Promise<string> {
    return this.jwk.kid;
  }

  async signDigest(keyId: string, sha256Digest: Uint8Array): Promise<Uint8Array> {
    if (keyId !== this.jwk.kid) throw new Error(`key ${keyId} is not the local signing key`);
    if (sha256Digest.length !== 32) throw new Error('signDigest expects a 32-byte SHA-256 digest');
    const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, Buffer.from(sha256Digest)]);
    // privateEncrypt with PKCS#1 padding is the raw EMSA-PKCS1-v1_5 operation over the DigestInfo.
    // crypto.sign(null, ...) would hash it again (SHA-256 is its default for RSA keys).
    return privateEncrypt({ key: this.privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
  }

  async publicKeys(): Promise<readonly PublicJwk[]> {
    return [this.jwk];
  }
}
