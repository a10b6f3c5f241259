import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toHttpRequest, toProxyResult } from '../../lambda/adapters/apigw/proxy-event';

function event(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path: '/token',
    httpMethod: 'post',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'token' },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '203.0.113.9' }, stage: 'prod', path: '/prod/token' } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

describe('toHttpRequest', () => {
  it('keeps every value of a repeated query parameter and header, with header names lower-cased', () => {
    const request = toHttpRequest(event({
      headers: { 'Content-Type': 'application/json', Cookie: 'b=2' },
      multiValueHeaders: { 'Content-Type': ['application/json'], Cookie: ['a=1'], cookie: ['b=2'] },
      queryStringParameters: { state: 's2' },
      multiValueQueryStringParameters: { state: ['s1', 's2'], scope: ['tool:read admin'] },
    }));

    expect(request.headers).toEqual({ 'content-type': ['application/json'], cookie: ['a=1', 'b=2'] });
    expect(request.query).toEqual({ state: ['s1', 's2'], scope: ['tool:read admin'] });
  });

  it('takes names like __proto__ and constructor as plain names (a sender chooses them)', () => {
    const multi = JSON.parse('{"__proto__":["a"],"constructor":["b"],"toString":["c"]}') as Record<string, string[]>;
    const request = toHttpRequest(event({ multiValueHeaders: multi, multiValueQueryStringParameters: multi }));
    expect(Object.entries(request.headers)).toEqual([['__proto__', ['a']], ['constructor', ['b']], ['tostring', ['c']]]);
    expect(Object.entries(request.query)).toEqual([['__proto__', ['a']], ['constructor', ['b']], ['toString', ['c']]]);
  });

  it('falls back to the single-valued maps when the multi-valued ones are absent', () => {
    const request = toHttpRequest(event({
      headers: { Authorization: 'Bearer x' },
      multiValueHeaders: undefined as unknown as APIGatewayProxyEvent['multiValueHeaders'],
      queryStringParameters: { a: '1' },
    }));

    expect(request.headers).toEqual({ authorization: ['Bearer x'] });
    expect(request.query).toEqual({ a: ['1'] });
  });

  it('upper-cases the method, uses the path without the stage, and carries the source IP', () => {
    const request = toHttpRequest(event());

    expect(request.method).toBe('POST');
    expect(request.path).toBe('/token');
    expect(request.sourceIp).toBe('203.0.113.9');
    expect(request.query).toEqual({});
  });

  it('decodes a base64 body and leaves a text body alone', () => {
    expect(toHttpRequest(event({ body: Buffer.from('grant_type=é').toString('base64'), isBase64Encoded: true })).body).toBe('grant_type=é');
    expect(toHttpRequest(event({ body: 'a=b' })).body).toBe('a=b');
  });

  it('treats a null or empty body as none', () => {
    expect(toHttpRequest(event({ body: null })).body).toBeUndefined();
    expect(toHttpRequest(event({ body: '' })).body).toBeUndefined();
  });
});

describe('toProxyResult', () => {
  it('maps status, headers and body, and sends Set-Cookie as multiValueHeaders', () => {
    const result = toProxyResult({
      status: 302,
      headers: { Location: 'https://c.example/cb?code=x', 'Cache-Control': 'no-store' },
      multiValueHeaders: { 'Set-Cookie': ['__Host-a=1; Secure', '__Host-b=2; Secure'] },
      body: '',
    });

    expect(result).toEqual({
      statusCode: 302,
      headers: { Location: 'https://c.example/cb?code=x', 'Cache-Control': 'no-store' },
      multiValueHeaders: { 'Set-Cookie': ['__Host-a=1; Secure', '__Host-b=2; Secure'] },
      body: '',
      isBase64Encoded: false,
    });
  });

  it('omits multiValueHeaders when there are none', () => {
    const result = toProxyResult({ status: 200, headers: {}, multiValueHeaders: { 'Set-Cookie': [] }, body: '{}' });

    expect(result).not.toHaveProperty('multiValueHeaders');
  });
});
