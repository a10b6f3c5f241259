import type { KMSClient } from '@aws-sdk/client-kms';
import { createPublicKey } from 'node:crypto';
import type { PublicJwk, Signer } from '../../core/ports';
import { kmsSdk } from '../aws-clients/sdk-packages';
import { translateKmsError } from './kms-errors';
import { rsaJwkThumbprint } from './rsa-jwk-thumbprint';

export interface KmsSignerOptions {
  readonly kms: Pick<KMSClient, 'send'>;
  /** Key id, ARN or alias ARN of the key that signs now. */
  readonly activeKeyId: string;
  /**
   * Every other key verifiers must accept: the next key, published before it signs, and
   * the previous key, kept until its last token expires (publish-then-sign rotation).
   */
  readonly publishedKeyIds: readonly string[];
}

interface LoadedKey {
  readonly kmsKeyId: string;
  readonly jwk: PublicJwk;
}

/**
 * Signs RS256 JWTs with KMS RSA_2048 keys. One Sign call per token (MessageType DIGEST over
 * the SHA-256 the core computed), never one per validation: verifiers use the JWKS.
 *
 * Public keys are fetched once per container and kept: an asymmetric KMS key's public half
 * never changes, and rotation introduces a new key (a new deployment), never new material.
 */
export class KmsSigner implements Signer {
  private readonly kms: Pick<KMSClient, 'send'>;
  private readonly keyIds: readonly string[];
  private loading?: Promise<readonly LoadedKey[]>;

  constructor(options: KmsSignerOptions) {
    if (!options.activeKeyId) throw new Error('KmsSigner needs an activeKeyId');
    this.kms = options.kms;
    this.keyIds = [...new Set([options.activeKeyId, ...options.publishedKeyIds])];
  }

  async currentKeyId(): Promise<string> {
    return (await this.activeKey()).jwk.kid;
  }

  async signDigest(keyId: string, sha256Digest: Uint8Array): Promise<Uint8Array> {
    if (sha256Digest.length !== 32) throw new Error('signDigest expects a 32-byte SHA-256 digest');
    const active = await this.activeKey();
    // Published keys are in the JWKS ahead of time but must not sign until they become active.
    if (keyId !== active.jwk.kid) throw new Error(`key ${keyId} is not the active signing key`);
    let signature: Uint8Array | undefined;
    try {
      const result = await this.kms.send(new (kmsSdk().SignCommand)({
        KeyId: active.kmsKeyId,
        Message: sha256Digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      }));
      signature = result.Signature;
    } catch (error) {
      translateKmsError(error);
    }
    if (!signature || signature.length === 0) throw new Error('KMS returned no signature');
    return signature;
  }

  async publicKeys(): Promise<readonly PublicJwk[]> {
    return (await this.loadKeys()).map((k) => k.jwk);
  }

  private async activeKey(): Promise<LoadedKey> {
    const keys = await this.loadKeys();
    return keys[0] as LoadedKey; // keyIds starts with the active key, and loadKeys keeps order
  }

  private loadKeys(): Promise<readonly LoadedKey[]> {
    if (!this.loading) {
      this.loading = Promise.all(this.keyIds.map((id) => this.loadKey(id)));
      // A failed load (throttled, cold network) must not poison the container: retry next time.
      this.loading.catch(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async loadKey(kmsKeyId: string): Promise<LoadedKey> {
    let response;
    try {
      response = await this.kms.send(new (kmsSdk().GetPublicKeyCommand)({ KeyId: kmsKeyId }));
    } catch (error) {
      translateKmsError(error);
    }
    if (response.KeySpec !== 'RSA_2048' || response.KeyUsage !== 'SIGN_VERIFY' || !response.PublicKey) {
      throw new Error(`KMS key ${kmsKeyId} is not an RSA_2048 SIGN_VERIFY key`);
    }
    if (response.SigningAlgorithms && !response.SigningAlgorithms.includes('RSASSA_PKCS1_V1_5_SHA_256')) {
      throw new Error(`KMS key ${kmsKeyId} does not support RSASSA_PKCS1_V1_5_SHA_256`);
    }
    const exported = createPublicKey({ key: Buffer.from(response.PublicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    if (exported.kty !== 'RSA' || !exported.n || !exported.e) throw new Error(`KMS key ${kmsKeyId} has no RSA public key`);
    const jwk: PublicJwk = { kty: 'RSA', kid: rsaJwkThumbprint({ n: exported.n, e: exported.e }), alg: 'RS256', use: 'sig', n: exported.n, e: exported.e };
    return { kmsKeyId, jwk };
  }
}
