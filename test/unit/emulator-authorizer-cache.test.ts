/**
 * The emulator's authorizer result cache is bounded as API Gateway's is: an answer past its
 * TTL is not served and is dropped, and the number of cached answers never exceeds the cap
 * (the oldest goes first). The clock is the test's, so no assertion depends on timing.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AUTHORIZER_CACHE_MAX_ENTRIES, EmulatedAuthorizerStep } from '../../local/emulator/authorizer';
import { proxyEvent } from '../support/api-gateway-event';

const TTL_SECONDS = 300;

function requestWith(token: string): APIGatewayProxyEvent {
  return proxyEvent('POST', '/mcp', {
    resource: '/mcp',
    headers: { Authorization: `Bearer ${token}` },
    multiValueHeaders: { Authorization: [`Bearer ${token}`] },
    requestContext: { resourcePath: '/mcp', httpMethod: 'POST', path: '/local/mcp', stage: 'local' } as APIGatewayProxyEvent['requestContext'],
  });
}

/** A step whose authorizer allows every request and records which tokens it was asked about. */
function harness(maxCachedAnswers?: number) {
  let nowMs = 1_000_000;
  const asked: string[] = [];
  const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    asked.push(event.headers!.Authorization!);
    return {
      principalId: 'user-1',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: event.methodArn }] },
    };
  };
  const step = new EmulatedAuthorizerStep(
    { handler, identitySources: ['method.request.header.Authorization'], resultTtlSeconds: TTL_SECONDS },
    'api',
    'local',
    { now: () => nowMs, maxCachedAnswers },
  );
  return {
    step,
    asked,
    advanceSeconds: (seconds: number) => { nowMs += seconds * 1000; },
    authorize: async (token: string) => {
      const outcome = await step.authorize(requestWith(token));
      expect(outcome.ok).toBe(true);
    },
  };
}

describe('emulator authorizer result cache', () => {
  it('serves an answer within its TTL without asking the authorizer again', async () => {
    const h = harness();
    await h.authorize('t1');
    h.advanceSeconds(TTL_SECONDS - 1);
    await h.authorize('t1');
    expect(h.asked).toEqual(['Bearer t1']);
  });

  it('does not serve an answer past its TTL: the authorizer is asked again', async () => {
    const h = harness();
    await h.authorize('t1');
    h.advanceSeconds(TTL_SECONDS);
    await h.authorize('t1');
    expect(h.asked).toEqual(['Bearer t1', 'Bearer t1']);
    expect(h.step.cachedAnswerCount).toBe(1);
  });

  it('drops expired answers of other tokens when it caches a new one', async () => {
    const h = harness();
    for (const token of ['t1', 't2', 't3']) await h.authorize(token);
    expect(h.step.cachedAnswerCount).toBe(3);
    h.advanceSeconds(TTL_SECONDS);
    await h.authorize('t4');
    expect(h.step.cachedAnswerCount).toBe(1);
  });

  it('keeps at most the cap, evicting the oldest answer first', async () => {
    const h = harness(3);
    for (const token of ['t1', 't2', 't3', 't4', 't5']) await h.authorize(token);
    expect(h.step.cachedAnswerCount).toBe(3);

    // t3..t5 are still cached, t1 and t2 were evicted.
    h.asked.length = 0;
    for (const token of ['t3', 't4', 't5']) await h.authorize(token);
    expect(h.asked).toEqual([]);
    await h.authorize('t1');
    expect(h.asked).toEqual(['Bearer t1']);
    expect(h.step.cachedAnswerCount).toBe(3);
  });

  it('holds the default cap over many more tokens than it', async () => {
    const h = harness();
    for (let i = 0; i < AUTHORIZER_CACHE_MAX_ENTRIES + 500; i++) await h.authorize(`t${i}`);
    expect(h.step.cachedAnswerCount).toBe(AUTHORIZER_CACHE_MAX_ENTRIES);
  });

  it('re-caching a token moves it to the newest place, so it outlives answers cached before it', async () => {
    const h = harness(2);
    await h.authorize('t1');
    h.advanceSeconds(TTL_SECONDS - 100);
    await h.authorize('t2');
    h.advanceSeconds(100);
    await h.authorize('t1'); // t1 expired, t2 has not: t1 is asked again and cached after t2
    await h.authorize('t3'); // at the cap: evicts t2, now the oldest
    h.asked.length = 0;
    await h.authorize('t1');
    expect(h.asked).toEqual([]);
    await h.authorize('t2');
    expect(h.asked).toEqual(['Bearer t2']);
  });
});
