/**
 * POST /token in two round trips to the stores (issue 11): the reads that do not depend on
 * each other (the client, the code or family, their revocation rows) start together, and one
 * write follows. Every store call here takes a turn of the event loop; a call's round trip is
 * one more than the deepest call that had finished when it started.
 */
import type { InMemoryDeps } from '../support/in-memory-ports';
import { codeParams, login, seedCode, token, tokenDeps } from './token-fixtures';

/** Wraps each store call of `deps` so that it records the round trip it ran in. */
function countRoundTrips(deps: InMemoryDeps): { calls: { name: string; roundTrip: number }[] } {
  const calls: { name: string; roundTrip: number }[] = [];
  let finishedDepth = 0;
  const wrap = <T extends object>(name: string, target: T, method: keyof T) => {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (target as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      const roundTrip = finishedDepth + 1;
      calls.push({ name: `${name}.${String(method)}`, roundTrip });
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await original(...args);
      } finally {
        finishedDepth = Math.max(finishedDepth, roundTrip);
      }
    };
  };
  wrap('clients', deps.clients, 'get');
  wrap('codes', deps.codes, 'get');
  wrap('families', deps.families, 'get');
  wrap('revocations', deps.revocations, 'find');
  wrap('grantWriter', deps.grantWriter, 'redeemCode');
  wrap('grantWriter', deps.grantWriter, 'rotateFamily');
  return { calls };
}

describe('/token round trips', () => {
  it('a code: the client, the code and the client’s revocation row together, then one write', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const { calls } = countRoundTrips(deps);
    expect((await token(deps, codeParams(code))).status).toBe(200);
    expect(calls).toEqual([
      { name: 'clients.get', roundTrip: 1 },
      { name: 'codes.get', roundTrip: 1 },
      { name: 'revocations.find', roundTrip: 1 },
      { name: 'grantWriter.redeemCode', roundTrip: 2 },
    ]);
  });

  it('a refresh: the client, the family and its revocation rows together, then one write', async () => {
    const deps = tokenDeps();
    const { refreshToken } = await login(deps);
    const { calls } = countRoundTrips(deps);
    expect((await token(deps, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'public-client' })).status).toBe(200);
    expect(calls).toEqual([
      { name: 'clients.get', roundTrip: 1 },
      { name: 'families.get', roundTrip: 1 },
      { name: 'revocations.find', roundTrip: 1 },
      { name: 'grantWriter.rotateFamily', roundTrip: 2 },
    ]);
  });
});
