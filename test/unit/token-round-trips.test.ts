/**
 * POST /token in two round trips to the stores (issue 11): one read of everything the request
 * names (the client, the code or family, their revocation rows), then one write. Every store
 * call here takes a turn of the event loop; a call's round trip is one more than the deepest
 * call that had finished when it started. Store calls made inside the one read are its own.
 */
import { sha256Base64url } from '../../lambda/core/crypto';
import { familyIdOf } from '../../lambda/core/authorization-server/refresh-family/refresh-token-format';
import type { InMemoryDeps } from '../support/in-memory-ports';
import { basicAuth, codeParams, login, PUBLIC, R1, seedCode, token, tokenDeps } from './token-fixtures';

interface Call {
  readonly name: string;
  readonly roundTrip: number;
  readonly args: readonly unknown[];
}

/** Wraps each store call of `deps` so that it records the round trip it ran in. */
function countRoundTrips(deps: InMemoryDeps): { calls: Call[] } {
  const calls: Call[] = [];
  let finishedDepth = 0;
  let insideRead = 0;
  const wrap = <T extends object>(name: string, target: T, method: keyof T) => {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (target as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      if (insideRead > 0) return original(...args);
      const roundTrip = finishedDepth + 1;
      calls.push({ name: `${name}.${String(method)}`, roundTrip, args });
      await new Promise((resolve) => setImmediate(resolve));
      const isRead = name === 'tokenRequestReads';
      if (isRead) insideRead++;
      try {
        return await original(...args);
      } finally {
        if (isRead) insideRead--;
        finishedDepth = Math.max(finishedDepth, roundTrip);
      }
    };
  };
  wrap('tokenRequestReads', deps.tokenRequestReads, 'read');
  wrap('clients', deps.clients, 'get');
  wrap('codes', deps.codes, 'get');
  wrap('families', deps.families, 'get');
  wrap('revocations', deps.revocations, 'find');
  wrap('grantWriter', deps.grantWriter, 'redeemCode');
  wrap('grantWriter', deps.grantWriter, 'rotateFamily');
  return { calls };
}

describe('/token round trips', () => {
  it('a code: one read of the client, the code and the client’s revocation row, then one write', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const { calls } = countRoundTrips(deps);
    expect((await token(deps, codeParams(code))).status).toBe(200);
    expect(calls.map(({ name, roundTrip }) => ({ name, roundTrip }))).toEqual([
      { name: 'tokenRequestReads.read', roundTrip: 1 },
      { name: 'grantWriter.redeemCode', roundTrip: 2 },
    ]);
    expect(calls[0].args).toEqual([{ clientId: PUBLIC, codeHash: sha256Base64url(code), familyId: undefined, revocationKeys: [{ kind: 'client', value: PUBLIC }] }]);
  });

  it('a refresh: one read of the client, the family and its revocation rows, then one write', async () => {
    const deps = tokenDeps();
    const { refreshToken } = await login(deps);
    const { calls } = countRoundTrips(deps);
    expect((await token(deps, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: PUBLIC })).status).toBe(200);
    expect(calls.map(({ name, roundTrip }) => ({ name, roundTrip }))).toEqual([
      { name: 'tokenRequestReads.read', roundTrip: 1 },
      { name: 'grantWriter.rotateFamily', roundTrip: 2 },
    ]);
    const familyId = familyIdOf(refreshToken);
    expect(calls[0].args).toEqual([{ clientId: PUBLIC, codeHash: undefined, familyId, revocationKeys: [{ kind: 'family', value: familyId }, { kind: 'client', value: PUBLIC }] }]);
  });

  it('a client of the configuration is not asked of the store; its revocation row is, by the grant that needs it', async () => {
    const deps = tokenDeps();
    const { calls } = countRoundTrips(deps);
    const response = await token(deps, { grant_type: 'client_credentials', resource: R1 }, { authorization: basicAuth('demo-machine', 'demo-machine-secret') });
    expect(response.status).toBe(200);
    expect(calls[0]).toEqual({ name: 'tokenRequestReads.read', roundTrip: 1, args: [{ clientId: undefined, codeHash: undefined, familyId: undefined, revocationKeys: [] }] });
  });

  it('an unknown stored client is read once, in the one read, and is refused', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const { calls } = countRoundTrips(deps);
    expect((await token(deps, codeParams(code, { client_id: 'nobody' }))).status).toBe(401);
    expect(calls.map(({ name }) => name)).toEqual(['tokenRequestReads.read']);
    expect(deps.codes.items.get(sha256Base64url(code))?.redeemedAt).toBeUndefined();
  });
});
