import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateMacCommand, KMSClient, type GenerateMacCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsCookieKeys } from '../../lambda/adapters/kms/kms-cookie-keys';
import { LocalCookieKeys } from '../../lambda/adapters/local-key/local-cookie-keys';
import { openCookie, sealCookie } from '../../lambda/core/authorization-server/sealed-cookie';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import { CountingRandom } from '../support/in-memory-ports';

describe('local-cookie-keys.ts: a key file next to the local signing key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cookie-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created on first run with mode 0600, and the same key is loaded on the next', async () => {
    const path = join(dir, 'data', 'cookie-key');
    const first = LocalCookieKeys.fromFile(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = LocalCookieKeys.fromFile(path);
    expect(second.created).toBe(false);
    expect(await second.cookieKeys.keyRing()).toEqual(await first.cookieKeys.keyRing());
    const ring = await first.cookieKeys.keyRing();
    expect(ring.current.secret).toHaveLength(32);
    expect(ring.current.id).toMatch(/^local-[A-Za-z0-9_-]{8}$/);
    expect(readFileSync(path, 'utf8')).not.toContain(ring.current.id);
  });

  it('refuses a file that is not a 32-byte key, saying how to recover', () => {
    const path = join(dir, 'cookie-key');
    writeFileSync(path, 'too-short');
    expect(() => LocalCookieKeys.fromFile(path)).toThrow(/delete it/);
  });
});

describe('kms-cookie-keys.ts: an AES key derived from a KMS HMAC key (GenerateMac, then HKDF)', () => {
  const kms = new KMSClient({ region: 'us-east-1' });
  const kmsMock = mockClient(kms);
  const MAC_KEY = 'arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222';
  // The stand-in keeps its HMAC secret to itself, as KMS does: only MACs come out.
  const secret = randomBytes(32);
  let calls: GenerateMacCommandInput[] = [];
  const honestKms = () =>
    kmsMock.on(GenerateMacCommand).callsFake(async (input: GenerateMacCommandInput) => {
      calls.push(input);
      if (input.KeyId !== MAC_KEY) throw Object.assign(new Error('Key not found'), { name: 'NotFoundException', $metadata: { httpStatusCode: 400 } });
      return { KeyId: MAC_KEY, MacAlgorithm: input.MacAlgorithm, Mac: new Uint8Array(createHmac('sha256', secret).update(input.Message as Uint8Array).digest()) };
    });

  beforeEach(() => {
    kmsMock.reset();
    calls = [];
  });
  afterAll(() => kmsMock.restore());

  it('asks KMS once per container, lazily, with HMAC_SHA_256 over a versioned label', async () => {
    honestKms();
    const keys = new KmsCookieKeys({ kms, macKeyId: MAC_KEY });
    expect(calls).toHaveLength(0);
    const [a, b] = await Promise.all([keys.keyRing(), keys.keyRing()]);
    await keys.keyRing();
    expect(a).toBe(b);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ KeyId: MAC_KEY, MacAlgorithm: 'HMAC_SHA_256' });
    expect(Buffer.from(calls[0].Message as Uint8Array).toString()).toBe('mcp-oauth-aws cookie key v1');
    expect(a.current.id).toBe('kms-v1');
    expect(a.current.secret).toHaveLength(32);
    // The derived key is not the MAC itself (HKDF), so the MAC KMS returned never keys a cipher.
    expect(Buffer.from(a.current.secret)).not.toEqual(createHmac('sha256', secret).update('mcp-oauth-aws cookie key v1').digest());
  });

  it('derives the same key in every container: a cookie sealed in one opens in another', async () => {
    honestKms();
    const one = await new KmsCookieKeys({ kms, macKeyId: MAC_KEY }).keyRing();
    const other = await new KmsCookieKeys({ kms, macKeyId: MAC_KEY }).keyRing();
    const value = sealCookie(one, new CountingRandom(), 'n', { x: 1 }, 100);
    expect(openCookie(other, 'n', value, 50)).toEqual({ x: 1 });
  });

  it('rotation: version 2 seals, version 1 still opens, and each is a different key', async () => {
    honestKms();
    const before = await new KmsCookieKeys({ kms, macKeyId: MAC_KEY }).keyRing();
    const after = await new KmsCookieKeys({ kms, macKeyId: MAC_KEY, currentVersion: 2, previousVersions: [1] }).keyRing();
    expect(after.current.id).toBe('kms-v2');
    expect(after.accepted.map((key) => key.id)).toEqual(['kms-v2', 'kms-v1']);
    expect(Buffer.from(after.current.secret)).not.toEqual(Buffer.from(before.current.secret));
    const old = sealCookie(before, new CountingRandom(), 'n', { x: 1 }, 100);
    expect(openCookie(after, 'n', old, 50)).toEqual({ x: 1 });
  });

  it('a throttled or unreachable KMS is DependencyUnavailableError (503), and the next request tries again', async () => {
    kmsMock.on(GenerateMacCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const keys = new KmsCookieKeys({ kms, macKeyId: MAC_KEY });
    await expect(keys.keyRing()).rejects.toThrow(DependencyUnavailableError);
    honestKms();
    expect((await keys.keyRing()).current.id).toBe('kms-v1');
  });

  it('a wrong key or a missing permission stays what it is: an error an operator must fix', async () => {
    honestKms();
    await expect(new KmsCookieKeys({ kms, macKeyId: 'arn:aws:kms:us-east-1:111122223333:key/nope' }).keyRing()).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
