/**
 * The local stand-in for KMS: an RSA 2048 key in a PEM file, created on first run (0600,
 * owner only) and reused afterwards, so tokens survive a restart of local mode. It signs
 * exactly what KMS signs for MessageType DIGEST with RSASSA_PKCS1_V1_5_SHA_256 (the
 * DigestInfo-wrapped SHA-256, PKCS#1 v1.5 padded), and its kid is the RFC 7638 thumbprint,
 * the same rule the KMS signer uses. DEVELOPMENT ONLY: production keys never leave KMS.
 *
 * Rotation (`mcp-oauth keys rotate`) is publish-then-sign in one step, as local mode has no
 * verifier that caches the JWKS for long: the active key moves to `<name>.previous.pem`,
 * which stays in the JWKS so tokens it signed still verify, and a new key signs from the
 * next start on. Only one previous key is kept (the AWS runbook's "previous, active").
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PublicJwk, Signer } from '../../core/ports';
import { rsaJwkThumbprint } from '../kms/rsa-jwk-thumbprint';

/** DER prefix of DigestInfo { sha256, NULL } before the 32 digest bytes (RFC 8017 section 9.2). */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Where the key that signed before the last rotation is kept, published but never signing. */
export function previousKeyPath(path: string): string {
  return path.replace(/(\.pem)?$/, '.previous.pem');
}

/** The public half of a key file, for listing: its kid and where it lives. */
export interface LocalKeyFile {
  readonly path: string;
  readonly kid: string;
  readonly role: 'active' | 'previous';
}

export class LocalKeySigner implements Signer {
  private readonly jwk: PublicJwk;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly previousJwk?: PublicJwk,
  ) {
    this.jwk = publicJwkOf(privateKey);
  }

  /**
   * Loads the key at `path`, or creates it there (and its folder) when the file does not
   * exist; a previous key next to it (previousKeyPath) is published too.
   */
  static fromFile(path: string): { signer: LocalKeySigner; created: boolean } {
    const previousPath = previousKeyPath(path);
    const previous = existsSync(previousPath) ? publicJwkOf(readKeyFile(previousPath)) : undefined;
    if (existsSync(path)) return { signer: new LocalKeySigner(readKeyFile(path), previous), created: false };
    return { signer: new LocalKeySigner(createKeyFile(path), previous), created: true };
  }

  /** The key files at `path` (and its previous key), active first; none when local mode never ran there. */
  static list(path: string): LocalKeyFile[] {
    const files: LocalKeyFile[] = [];
    if (existsSync(path)) files.push({ path, kid: publicJwkOf(readKeyFile(path)).kid, role: 'active' });
    const previousPath = previousKeyPath(path);
    if (existsSync(previousPath)) files.push({ path: previousPath, kid: publicJwkOf(readKeyFile(previousPath)).kid, role: 'previous' });
    return files;
  }

  /**
   * A new active key at `path`; the active one becomes the previous key (replacing an older
   * previous key, whose tokens stop verifying). Takes effect when local mode next starts.
   */
  static rotate(path: string): { active: string; previous?: string; dropped?: string } {
    const previousPath = previousKeyPath(path);
    const dropped = existsSync(previousPath) ? publicJwkOf(readKeyFile(previousPath)).kid : undefined;
    let previous: string | undefined;
    if (existsSync(path)) {
      previous = publicJwkOf(readKeyFile(path)).kid;
      renameSync(path, previousPath);
    }
    const active = publicJwkOf(createKeyFile(path)).kid;
    return { active, previous, dropped };
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
    return this.previousJwk && this.previousJwk.kid !== this.jwk.kid ? [this.jwk, this.previousJwk] : [this.jwk];
  }
}

function readKeyFile(path: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not a readable PEM private key: delete it to have a new one created`, { cause: error });
  }
}

function createKeyFile(path: string): KeyObject {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // 'wx' refuses to overwrite a file that appeared meanwhile; mode applies at creation.
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return privateKey;
}

function publicJwkOf(privateKey: KeyObject): PublicJwk {
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
    throw new Error('the signing key must be an RSA key of at least 2048 bits');
  }
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', kid: rsaJwkThumbprint({ n, e }), alg: 'RS256', use: 'sig', n, e };
}
