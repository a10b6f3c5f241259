import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { LocalKeySigner, previousKeyPath } from '../../lambda/adapters/local-key/local-key-signer';
import type { Signer } from '../../lambda/core/ports';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function signJwt(signer: Signer, payload: Record<string, unknown>): Promise<string> {
  const kid = await signer.currentKeyId();
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const digest = createHash('sha256').update(`${header}.${body}`).digest();
  const signature = Buffer.from(await signer.signDigest(kid, digest)).toString('base64url');
  return `${header}.${body}.${signature}`;
}

describe('LocalKeySigner', () => {
  it('creates the key file with owner-only permissions in a folder that did not exist', () => {
    const path = join(dir, 'nested', 'signing-key.pem');

    const { created } = LocalKeySigner.fromFile(path);

    expect(created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('signs JWTs that jose verifies against its published JWKS, with the RFC 7638 thumbprint as kid', async () => {
    const { signer } = LocalKeySigner.fromFile(join(dir, 'signing-key.pem'));
    const keys = await signer.publicKeys();

    const token = await signJwt(signer, { sub: 'alice', aud: 'http://localhost:8788/mcp' });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: keys as any }), { typ: 'at+jwt', algorithms: ['RS256'] });

    expect(payload.sub).toBe('alice');
    expect(protectedHeader.kid).toBe(await calculateJwkThumbprint({ kty: 'RSA', n: keys[0].n, e: keys[0].e }, 'sha256'));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('produces the same bytes as RSASSA-PKCS1-v1_5 with SHA-256 over the message (what KMS returns for DIGEST)', async () => {
    const path = join(dir, 'signing-key.pem');
    const { signer } = LocalKeySigner.fromFile(path);
    const message = Buffer.from('header.payload');

    const viaDigest = await signer.signDigest(await signer.currentKeyId(), createHash('sha256').update(message).digest());
    const direct = sign('sha256', message, createPrivateKey(readFileSync(path, 'utf8')));

    expect(Buffer.from(viaDigest).equals(direct)).toBe(true);
  });

  it('reuses the key file on the next start: same kid, old tokens still verify', async () => {
    const path = join(dir, 'signing-key.pem');
    const first = LocalKeySigner.fromFile(path);
    const token = await signJwt(first.signer, { sub: 'bob' });

    const second = LocalKeySigner.fromFile(path);

    expect(second.created).toBe(false);
    expect(await second.signer.currentKeyId()).toBe(await first.signer.currentKeyId());
    await expect(jwtVerify(token, createLocalJWKSet({ keys: (await second.signer.publicKeys()) as any }))).resolves.toBeDefined();
  });

  it('refuses to sign with another kid or a digest that is not 32 bytes', async () => {
    const { signer } = LocalKeySigner.fromFile(join(dir, 'signing-key.pem'));

    await expect(signer.signDigest('other-kid', new Uint8Array(32))).rejects.toThrow('is not the local signing key');
    await expect(signer.signDigest(await signer.currentKeyId(), new Uint8Array(31))).rejects.toThrow('32-byte');
  });

  it('names the file and the fix when the key file is not a PEM key', () => {
    const path = join(dir, 'signing-key.pem');
    writeFileSync(path, 'not a key');

    expect(() => LocalKeySigner.fromFile(path)).toThrow(`${path} is not a readable PEM private key: delete it to have a new one created`);
  });

  it('rotate: a new key signs, the previous one stays published (its tokens verify), one rotation later it is gone', async () => {
    const path = join(dir, 'signing-key.pem');
    const first = LocalKeySigner.fromFile(path).signer;
    const oldToken = await signJwt(first, { sub: 'alice' });

    const rotation = LocalKeySigner.rotate(path);
    const second = LocalKeySigner.fromFile(path).signer;

    expect(rotation).toEqual({ active: await second.currentKeyId(), previous: await first.currentKeyId(), dropped: undefined });
    expect(rotation.active).not.toBe(rotation.previous);
    expect((await second.publicKeys()).map((k) => k.kid)).toEqual([rotation.active, rotation.previous]);
    expect(LocalKeySigner.list(path).map((k) => [k.role, k.kid])).toEqual([['active', rotation.active], ['previous', rotation.previous]]);
    const jwks = createLocalJWKSet({ keys: (await second.publicKeys()) as any });
    await expect(jwtVerify(oldToken, jwks)).resolves.toBeDefined();
    await expect(jwtVerify(await signJwt(second, { sub: 'alice' }), jwks)).resolves.toBeDefined();
    expect(statSync(previousKeyPath(path)).mode & 0o777).toBe(0o600);

    const again = LocalKeySigner.rotate(path);
    const third = LocalKeySigner.fromFile(path).signer;
    expect(again.dropped).toBe(rotation.previous);
    await expect(jwtVerify(oldToken, createLocalJWKSet({ keys: (await third.publicKeys()) as any }))).rejects.toThrow();
  });
});
