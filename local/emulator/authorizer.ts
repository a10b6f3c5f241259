/**
 * API Gateway's REQUEST authorizer step: the identity sources (a request missing one gets
 * UNAUTHORIZED without the authorizer running, as AWS does when caching is on), the result
 * cache keyed on them with the configured TTL (an expired answer is never served and is
 * dropped; the cache is capped, as API Gateway's is), the one thrown error API Gateway understands
 * ("Unauthorized"), and the returned policy evaluated against THIS request's method ARN,
 * whether it came from the authorizer or from the cache. An authorizer that throws anything
 * else, answers malformed or runs past its Lambda timeout gets 500
 * (AUTHORIZER_CONFIGURATION_ERROR), as on AWS.
 */
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { evaluatePolicy, methodArn, parseAuthorizerAnswer, type AuthorizerAnswer } from './authorizer-policy';
import type { GatewayResponseType } from './gateway-responses';
import { lookupHeader } from './headers';
import type { EmulatedAuthorizer } from './types';
import { ExpiringCache } from '../../lambda/adapters/system/expiring-cache';

export type AuthorizerOutcome =
  | { readonly ok: true; readonly answer: AuthorizerAnswer }
  | { readonly ok: false; readonly refusal: GatewayResponseType; readonly message?: string };

/**
 * How many answers the result cache keeps. API Gateway's authorizer cache is bounded but its
 * size is not published; this cap keeps a long local run (every token a new key) from
 * growing without end, and is far above what one developer's tokens reach within a TTL.
 */
export const AUTHORIZER_CACHE_MAX_ENTRIES = 1_000;

export interface AuthorizerStepOptions {
  /** The clock the cache's TTL runs on. @default Date.now */
  readonly now?: () => number;
  /** @default AUTHORIZER_CACHE_MAX_ENTRIES */
  readonly maxCachedAnswers?: number;
}

export class EmulatedAuthorizerStep {
  /** API Gateway's result cache: the configured TTL for every answer, capped (ExpiringCache). */
  private readonly cache: ExpiringCache<AuthorizerAnswer>;
  private readonly now: () => number;

  constructor(
    private readonly authorizer: EmulatedAuthorizer,
    private readonly apiId: string,
    private readonly stage: string,
    options: AuthorizerStepOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.cache = new ExpiringCache(authorizer.resultTtlSeconds * 1000, options.maxCachedAnswers ?? AUTHORIZER_CACHE_MAX_ENTRIES);
  }

  clearCache(): void {
    this.cache.clear();
  }

  /** How many answers the result cache holds now. */
  get cachedAnswerCount(): number {
    return this.cache.size;
  }

  async authorize(event: APIGatewayProxyEvent): Promise<AuthorizerOutcome> {
    const { authorizer } = this;
    const identity = identityValues(authorizer.identitySources, event);
    if (!identity) return { ok: false, refusal: 'UNAUTHORIZED' };
    const arn = methodArn(this.apiId, this.stage, event.httpMethod, event.path);

    let answer: AuthorizerAnswer | undefined;
    const cacheKey = JSON.stringify(identity);
    const cached = this.cache.get(cacheKey, this.now());
    if (cached) {
      answer = cached;
    } else {
      const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn: arn,
        resource: event.resource,
        path: event.path,
        httpMethod: event.httpMethod,
        headers: event.headers,
        multiValueHeaders: event.multiValueHeaders,
        pathParameters: event.pathParameters,
        queryStringParameters: event.queryStringParameters,
        multiValueQueryStringParameters: event.multiValueQueryStringParameters,
        stageVariables: event.stageVariables,
        requestContext: { ...event.requestContext, authorizer: undefined },
      };
      let result: unknown;
      let timer: NodeJS.Timeout | undefined;
      try {
        const timedOut = new Promise<never>((_, reject) => {
          if (authorizer.timeoutSeconds !== undefined) timer = setTimeout(() => reject(new Error('Task timed out')), authorizer.timeoutSeconds * 1000);
        });
        result = await Promise.race([authorizer.handler(authorizerEvent), timedOut]);
      } catch (error) {
        // The one thrown error API Gateway understands: anything else (a timeout included) is a broken authorizer.
        if (error instanceof Error && error.message === 'Unauthorized') return { ok: false, refusal: 'UNAUTHORIZED' };
        return { ok: false, refusal: 'AUTHORIZER_CONFIGURATION_ERROR' };
      } finally {
        clearTimeout(timer);
      }
      answer = parseAuthorizerAnswer(result);
      if (!answer) return { ok: false, refusal: 'AUTHORIZER_CONFIGURATION_ERROR' };
      this.cache.set(cacheKey, answer, this.now());
    }

    const decision = evaluatePolicy(answer, arn);
    if (decision === 'allow') return { ok: true, answer };
    const message = decision === 'explicit_deny'
      ? 'User is not authorized to access this resource with an explicit deny'
      : 'User is not authorized to access this resource';
    return { ok: false, refusal: 'ACCESS_DENIED', message };
  }
}

/**
 * The identity-source values, or undefined when one is missing or empty (API Gateway then
 * answers 401 without calling the authorizer). Headers and query strings come from the
 * request, stage variables from the stage, `context.<name>` from the request context
 * ("Input to an Amazon API Gateway Lambda authorizer": e.g. context.resourcePath, the REST
 * resource API Gateway matched, and context.httpMethod).
 */
function identityValues(sources: readonly string[], event: APIGatewayProxyEvent): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const header = /^method\.request\.header\.(.+)$/i.exec(source);
    const query = /^method\.request\.querystring\.(.+)$/i.exec(source);
    const stageVariable = /^stageVariables\.(.+)$/.exec(source);
    const context = /^context\.(.+)$/.exec(source);
    let found: readonly string[] | undefined;
    if (header) found = lookupHeader(event.multiValueHeaders, header[1]);
    else if (query) found = event.multiValueQueryStringParameters?.[query[1]];
    else if (stageVariable) found = optionalValue(event.stageVariables?.[stageVariable[1]!]);
    else if (context) found = optionalValue((event.requestContext as unknown as Record<string, unknown>)[context[1]!]);
    else throw new Error(`unsupported identity source ${source}`);
    const value = found?.join(',');
    if (!value) return undefined;
    values.push(value);
  }
  return values;
}

function optionalValue(value: unknown): string[] | undefined {
  return typeof value === 'string' ? [value] : undefined;
}
