import { openCookie, sealCookie } from '../../lambda/core/authorization-server/sealed-cookie';
import type { CookieKeyRing } from '../../lambda/core/ports';
import { CountingRandom } from '../support/in-memory-ports';

const key = (id: string, fill: number) => ({ id, secret: new Uint8Array(32).fill(fill) });
const K1 = key('k1', 1);
const K2 = key('k2', 2);
const ring = (current = K1, ...previous: (typeof K1)[]): CookieKeyRing => ({ current, accepted: [current, ...previous] });
const NOW = 1_767_268_800;
const NAME = '__Host-mcp_authz';
const DATA = { id: 'pending-1', clientId: 'C1', resources: ['https://mcp.example/mcp'] };

describe('sealed-cookie.ts: AES-256-GCM cookies bound to their name and key id, expiring inside the seal', () => {
  const random = new CountingRandom();

  it('opens what it sealed, before its expiry', () => {
    const value = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openCookie(ring(), NAME, value, NOW)).toEqual(DATA);
    expect(openCookie(ring(), NAME, value, NOW + 59)).toEqual(DATA);
  });

  it('hides the payload: no field of it can be read from the value', () => {
    const value = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    const bytes = Buffer.from(value, 'base64url').toString('latin1');
    for (const text of ['pending-1', 'C1', 'mcp.example', 'clientId']) expect(bytes).not.toContain(text);
  });

  it('is absent at and after its expiry (the clock decides, not Max-Age)', () => {
    const value = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    expect(openCookie(ring(), NAME, value, NOW + 60)).toBeUndefined();
    expect(openCookie(ring(), NAME, value, NOW + 3600)).toBeUndefined();
  });

  it('refuses a value with any one byte changed', () => {
    const value = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    const bytes = Buffer.from(value, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] ^= 0x01;
      expect(openCookie(ring(), NAME, tampered.toString('base64url'), NOW)).toBeUndefined();
    }
  });

  it('refuses a truncated value, an extended one, an empty one and garbage', () => {
    const value = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    const bytes = Buffer.from(value, 'base64url');
    for (const candidate of [bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, Buffer.from([0])]), Buffer.alloc(0), Buffer.from('not a cookie at all, really')]) {
      expect(openCookie(ring(), NAME, candidate.toString('base64url'), NOW)).toBeUndefined();
    }
  });

  it('refuses a value sealed under another key, even one that claims an accepted key id', () => {
    const foreign = sealCookie(ring(key('k1', 9)), random, NAME, DATA, NOW + 60);
    expect(openCookie(ring(), NAME, foreign, NOW)).toBeUndefined();
    const unknownId = sealCookie(ring(key('k9', 1)), random, NAME, DATA, NOW + 60);
    expect(openCookie(ring(), NAME, unknownId, NOW)).toBeUndefined();
  });

  it('refuses a value presented under another cookie name (a pending request is never a session)', () => {
    const value = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    expect(openCookie(ring(), '__Host-mcp_session', value, NOW)).toBeUndefined();
    expect(openCookie(ring(), 'mcp_authz', value, NOW)).toBeUndefined();
  });

  it('rotation: a new current key seals, the previous key still opens what it sealed, a dropped key does not', () => {
    const old = sealCookie(ring(K1), random, NAME, DATA, NOW + 60);
    const rotated = ring(K2, K1);
    const fresh = sealCookie(rotated, random, NAME, DATA, NOW + 60);
    expect(openCookie(rotated, NAME, old, NOW)).toEqual(DATA);
    expect(openCookie(rotated, NAME, fresh, NOW)).toEqual(DATA);
    expect(openCookie(ring(K1), NAME, fresh, NOW)).toBeUndefined();
    expect(openCookie(ring(K2), NAME, old, NOW)).toBeUndefined();
  });

  it('takes a fresh IV from the Random port for every seal: the same data seals to different values', () => {
    const a = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    const b = sealCookie(ring(), random, NAME, DATA, NOW + 60);
    expect(a).not.toBe(b);
  });

  it('refuses to seal under a key that is not 32 bytes or whose id cannot travel', () => {
    expect(() => sealCookie(ring({ id: 'short', secret: new Uint8Array(16) }), random, NAME, DATA, NOW)).toThrow(/32 bytes/);
    expect(() => sealCookie(ring({ id: 'has space', secret: new Uint8Array(32) }), random, NAME, DATA, NOW)).toThrow(/key id/);
  });
});
