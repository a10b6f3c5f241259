import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A REST API proxy event as API Gateway hands it to a `/{proxy+}` function, from a loopback caller. */
export function proxyEvent(method: string, path: string, overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '127.0.0.1' }, stage: 'prod' } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}
