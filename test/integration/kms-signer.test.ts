import { GetPublicKeyCommand, KMSClient, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { constants, createHash, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import { KmsSigner } from '../../lambda/adapters/kms/kms-signer';
import { rsaJwkThumbprint } from '../../lambda/adapters/kms/rsa-jwk-thumbprint';

// KMS wraps a DIGEST-type message in a SHA-256 DigestInfo before PKCS#1 v1.5 padding.
// privateEncrypt applies exactly that padding to exactly these bytes; crypto.sign(null, ...)
// would hash them once more and produce a signature no verifier accepts.
const DIGEST_INFO_SHA256_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const ACTIVE_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-1111-1111-1111-111111111111';
const NEXT_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/22222222-2222-2222-2222-222222222222';
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://mcp.example.com/mcp';

interface TestKey {
  readonly privateKey: KeyObject;
  readonly spkiDer: Buffer;
}

function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, spkiDer: publicKey.export({ format: 'der', type: 'spki' }) };
}

const keys: Record<string, TestKey> = { [ACTIVE_ARN]: newKey(), [NEXT_ARN]: newKey() };
const kmsMock = mockClient(KMSClient);
let signRequests: SignCommandInput[] = [];

function answerLikeKms(): void {
  kmsMock.reset();
  signRequests = [];
  kmsMock.on(GetPublicKeyCommand).callsFake(async (input: { KeyId: string }) => {
    const key = keys[input.KeyId];
    if (!key) throw Object.assign(new Error('not found'), { name: 'NotFoundException' });
    return { KeyId: input.KeyId, KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', PublicKey: new Uint8Array(key.spkiDer), SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'] };
  });
  kmsMock.on(SignCommand).callsFake(async (input: SignCommandInput) => {
    signRequests.push(input);
    const key = keys[input.KeyId as string];
    if (!key) throw Object.assign(new Error('not found'), { name: 'NotFoundException' });
    const signature = privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_SHA256_PREFIX, Buffer.from(input.Message as Uint8Array)]));
    return { KeyId: input.KeyId, Signature: new Uint8Array(signature), SigningAlgorithm: input.SigningAlgorithm };
  });
}

function newSigner(): KmsSigner {
  return new KmsSigner({ kms: new KMSClient({ region: 'eu-west-1' }), activeKeyId: ACTIVE_ARN, publishedKeyIds: [NEXT_ARN] });
}

async function signJwt(signer: KmsSigner, payload: Record<string, unknown>, typ = 'at+jwt'): Promise<string> {
  const kid = await signer.currentKeyId();
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ, kid })}.${encode(payload)}`;
  const signature = await signer.signDigest(kid, createHash('sha256').update(signingInput).digest());
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

async function jwksOf(signer: KmsSigner): Promise<Jwks> {
  return { keys: (await signer.publicKeys()).map((k) => ({ ...k })) };
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, sub: 'alice-sub', aud: AUDIENCE, client_id: 'c1', scope: 'tool:read', iat: now, exp: now + 900, jti: 'jti-1', ...overrides };
}

beforeEach(answerLikeKms);

describe('KmsSigner', () => {
  it('signs a JWT that aws-jwt-verify accepts against the JWKS it publishes', async () => {
    const signer = newSigner();
    const token = await signJwt(signer, claims());
    const verifier = JwtRsaVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/.well-known/jwks.json` });
    verifier.cacheJwks(await jwksOf(signer));

    const payload = await verifier.verify(token);

    expect(payload.sub).toBe('alice-sub');
    expect(signRequests).toHaveLength(1);
    expect(signRequests[0]).toMatchObject({ KeyId: ACTIVE_ARN, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    expect(signRequests[0]!.Message).toHaveLength(32);
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const signer = newSigner();
    const token = await signJwt(signer, claims());
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify(claims({ scope: 'admin' }))).toString('base64url')}.${signature}`;
    const verifier = JwtRsaVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/.well-known/jwks.json` });
    verifier.cacheJwks(await jwksOf(signer));

    await expect(verifier.verify(forged)).rejects.toThrow(/signature/i);
  });

  it('uses the RFC 7638 thumbprint of the public key as kid', async () => {
    const signer = newSigner();
    const expected = keys[ACTIVE_ARN]!.privateKey.export({ format: 'jwk' }) as { n: string; e: string };

    expect(await signer.currentKeyId()).toBe(rsaJwkThumbprint(expected));
  });

  it('computes the thumbprint of the RFC 7638 section 3.1 example', () => {
    const n = '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';

    expect(rsaJwkThumbprint({ n, e: 'AQAB' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('publishes the next key in the JWKS before it signs, and keeps the kid stable', async () => {
    const signer = newSigner();
    const jwks = await signer.publicKeys();
    const activeKid = await signer.currentKeyId();

    expect(jwks.map((k) => k.kid)).toHaveLength(2);
    expect(jwks[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: activeKid });
    expect(jwks.every((k) => !('d' in k))).toBe(true);
    expect(await newSigner().currentKeyId()).toBe(activeKid);

    const nextKid = jwks[1]!.kid;
    await expect(signer.signDigest(nextKid, createHash('sha256').update('x').digest())).rejects.toThrow(/not the active signing key/);
    expect(signRequests).toHaveLength(0);
  });

  it('asks KMS for each public key once per container', async () => {
    const signer = newSigner();
    await signer.publicKeys();
    await signer.currentKeyId();
    await signJwt(signer, claims());
    await signer.publicKeys();

    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });

  it('refuses a key that is not RSA_2048 SIGN_VERIFY', async () => {
    kmsMock.on(GetPublicKeyCommand).resolves({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', PublicKey: new Uint8Array(keys[ACTIVE_ARN]!.spkiDer) });

    await expect(newSigner().publicKeys()).rejects.toThrow(/not an RSA_2048 SIGN_VERIFY key/);
  });

  it.each(['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException'])(
    'turns %s from Sign into DependencyUnavailableError',
    async (name) => {
      const signer = newSigner();
      const kid = await signer.currentKeyId();
      kmsMock.on(SignCommand).rejects(Object.assign(new Error('KMS says later'), { name, $metadata: { httpStatusCode: 400 } }));

      const attempt = signer.signDigest(kid, createHash('sha256').update('x').digest());

      await expect(attempt).rejects.toBeInstanceOf(DependencyUnavailableError);
    },
  );

  it('turns a network failure into DependencyUnavailableError', async () => {
    const signer = newSigner();
    const kid = await signer.currentKeyId();
    kmsMock.on(SignCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    await expect(signer.signDigest(kid, createHash('sha256').update('x').digest())).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('keeps a permission error a plain error an operator must fix', async () => {
    const signer = newSigner();
    const kid = await signer.currentKeyId();
    kmsMock.on(SignCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));

    const attempt = signer.signDigest(kid, createHash('sha256').update('x').digest());

    await expect(attempt).rejects.toThrow('not allowed');
    await expect(attempt).rejects.not.toBeInstanceOf(DependencyUnavailableError);
  });

  it('retries GetPublicKey after a throttled cold start instead of caching the failure', async () => {
    kmsMock.on(GetPublicKeyCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const signer = newSigner();

    await expect(signer.publicKeys()).rejects.toBeInstanceOf(DependencyUnavailableError);
    answerLikeKms();
    await expect(signer.publicKeys()).resolves.toHaveLength(2);
  });
});
