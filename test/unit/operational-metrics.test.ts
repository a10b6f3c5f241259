/**
 * The metrics the alarms and dashboards watch: the authorizer's and the MCP step's decisions
 * (per protected resource) and the authorization server's dependency outages, as the EMF documents CloudWatch extracts.
 */
import { DependencyUnavailableError, OAuthError } from '../../lambda/core/errors';
import { countingOutages } from '../../lambda/adapters/wiring/authorization-server-deps';
import { createAuthorizationServerHandler } from '../../lambda/adapters/apigw/authorization-server-proxy';
import {
  EmfAuthorizerMetrics,
  EmfDependencyOutages,
  EmfMcpStepMetrics,
  guardMetrics,
  unavailableDependency,
} from '../../lambda/adapters/observability/emf-operational-metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AUTHORIZER_METRICS, DEPENDENCY_UNAVAILABLE_METRIC, MCP_STEP_METRICS, METRICS_NAMESPACE } from '../../lambda/adapters/observability/metric-names';
import { proxyEvent } from '../support/api-gateway-event';
import { inMemoryDeps } from '../support/in-memory-ports';

/** The EMF documents written to stdout while `act` runs. */
async function emfWrittenBy(act: () => unknown): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((doc) => doc._aws);
}

const directiveOf = (doc: Record<string, any>) => doc._aws.CloudWatchMetrics[0];

describe('EmfAuthorizerMetrics', () => {
  const metrics = new EmfAuthorizerMetrics({ serviceName: 'mcp-oauth-authorizer', resourceUri: 'https://mcp.example.com/mcp' });

  it('counts an allowed request under the service and the protected resource', async () => {
    const [doc] = await emfWrittenBy(() => metrics.allowed());
    expect(directiveOf(doc!)).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [['service', 'Resource']], Metrics: [{ Name: AUTHORIZER_METRICS.allowed, Unit: 'Count' }] });
    expect(doc![AUTHORIZER_METRICS.allowed]).toBe(1);
    expect(doc!.service).toBe('mcp-oauth-authorizer');
    expect(doc!.Resource).toBe('https://mcp.example.com/mcp');
  });

  it.each(['unauthorized', 'forbidden'] as const)('counts a %s denial with its Reason dimension', async (reason) => {
    const [doc] = await emfWrittenBy(() => metrics.denied(reason));
    expect(directiveOf(doc!)).toMatchObject({ Dimensions: [['service', 'Resource', 'Reason']], Metrics: [{ Name: AUTHORIZER_METRICS.denied }] });
    expect(doc!.Reason).toBe(reason);
  });

  it('counts an authorizer failure as AuthorizerErrors', async () => {
    const [doc] = await emfWrittenBy(() => metrics.failed());
    expect(directiveOf(doc!).Metrics).toEqual([{ Name: AUTHORIZER_METRICS.errors, Unit: 'Count' }]);
  });
});

describe('EmfAuthorizerMetrics, written without Powertools', () => {
  const options = { serviceName: 'mcp-oauth-authorizer', resourceUri: 'https://mcp.example.com/mcp' };
  const withoutTimestamp = (doc: Record<string, any>) => ({ ...doc, _aws: { ...doc._aws, Timestamp: 0 } });
  /** What Powertools' singleMetric() writes for the same count: the documents the dashboards, alarms and tests were built on. */
  const powertoolsCount = (metric: string, reason?: string) => () => {
    const single = guardMetrics(options).singleMetric();
    if (reason) single.addDimension('Reason', reason);
    single.addMetric(metric, MetricUnit.Count, 1);
  };

  it.each([
    ['allowed', (m: EmfAuthorizerMetrics) => m.allowed(), powertoolsCount(AUTHORIZER_METRICS.allowed)],
    ['denied (unauthorized)', (m: EmfAuthorizerMetrics) => m.denied('unauthorized'), powertoolsCount(AUTHORIZER_METRICS.denied, 'unauthorized')],
    ['denied (forbidden)', (m: EmfAuthorizerMetrics) => m.denied('forbidden'), powertoolsCount(AUTHORIZER_METRICS.denied, 'forbidden')],
    ['failed', (m: EmfAuthorizerMetrics) => m.failed(), powertoolsCount(AUTHORIZER_METRICS.errors)],
  ])('%s: the same document, key for key and in the same order, as Powertools writes', async (_case, count, powertools) => {
    const [ours] = await emfWrittenBy(() => count(new EmfAuthorizerMetrics(options)));
    const [theirs] = await emfWrittenBy(powertools);
    expect(JSON.stringify(withoutTimestamp(ours!))).toBe(JSON.stringify(withoutTimestamp(theirs!)));
  });

  it('stamps the document with the time it was written, one line each, and writes nothing when disabled', () => {
    const lines: string[] = [];
    new EmfAuthorizerMetrics({ ...options, write: (line) => lines.push(line), now: () => 1_796_300_000_123 }).allowed();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(JSON.parse(lines[0]!)._aws.Timestamp).toBe(1_796_300_000_123);
    new EmfAuthorizerMetrics({ ...options, disabled: true, write: (line) => lines.push(line) }).denied('forbidden');
    expect(lines).toHaveLength(1);
  });
});

describe('EmfMcpStepMetrics', () => {
  const metrics = new EmfMcpStepMetrics({ serviceName: 'mcp-oauth-mcp-step', resourceUri: 'https://files.example.com/mcp' });

  it.each([[true, MCP_STEP_METRICS.toolAllowed], [false, MCP_STEP_METRICS.toolDenied]] as const)('counts a tool decision (allowed %s) per protected resource', async (allowed, name) => {
    const [doc] = await emfWrittenBy(() => metrics.toolDecided(allowed));
    expect(directiveOf(doc!)).toMatchObject({ Dimensions: [['service', 'Resource']], Metrics: [{ Name: name, Unit: 'Count' }] });
    expect(doc!.Resource).toBe('https://files.example.com/mcp');
  });

  it('counts a backend that did not answer', async () => {
    const [doc] = await emfWrittenBy(() => metrics.backendFailed());
    expect(directiveOf(doc!).Metrics).toEqual([{ Name: MCP_STEP_METRICS.backendFailed, Unit: 'Count' }]);
  });
});

describe('unavailableDependency', () => {
  it.each([
    [new DependencyUnavailableError('KMS'), 'kms'],
    [new DependencyUnavailableError('DynamoDB'), 'dynamodb'],
    [new DependencyUnavailableError('upstream identity provider'), 'upstream'],
    [new DependencyUnavailableError('Secrets Manager'), 'secrets'],
    [new OAuthError('temporarily_unavailable', 'busy', { cause: new DependencyUnavailableError('KMS') }), 'kms'],
  ])('names the dependency of %s', (error, expected) => {
    expect(unavailableDependency(error)).toBe(expected);
  });

  it('ignores errors that are not outages', () => {
    expect(unavailableDependency(new Error('KMS key policy is wrong'))).toBeUndefined();
    expect(unavailableDependency(new OAuthError('invalid_grant', 'no'))).toBeUndefined();
    expect(unavailableDependency('DynamoDB is unavailable')).toBeUndefined();
  });
});

describe('the authorization server counts dependency outages on its error path', () => {
  it('answers 503 and writes DependencyUnavailable{Dependency=kms} when KMS fails', async () => {
    const deps = inMemoryDeps();
    deps.signer.publicKeys = async () => {
      throw new DependencyUnavailableError('KMS');
    };
    const logged: string[] = [];
    const serve = createAuthorizationServerHandler({
      ...deps,
      logError: countingOutages((message) => logged.push(message), new EmfDependencyOutages({ serviceName: 'mcp-oauth-authorization-server' })),
    });
    let status = 0;
    const docs = await emfWrittenBy(async () => {
      status = (await serve(proxyEvent('GET', '/.well-known/jwks.json'))).statusCode;
    });

    expect(status).toBe(503);
    expect(logged).toEqual(['dependency unavailable']);
    const outage = docs.find((doc) => doc[DEPENDENCY_UNAVAILABLE_METRIC] === 1);
    expect(outage).toBeDefined();
    expect(directiveOf(outage!).Dimensions).toEqual([['service', 'Dependency']]);
    expect(outage!.Dependency).toBe('kms');
    expect(outage!.service).toBe('mcp-oauth-authorization-server');
  });

  it('writes no outage metric for a request the caller got wrong', async () => {
    const deps = inMemoryDeps();
    const serve = createAuthorizationServerHandler({ ...deps, logError: countingOutages(() => undefined, new EmfDependencyOutages({ serviceName: 'x' })) });
    const docs = await emfWrittenBy(() => serve(proxyEvent('POST', '/token')));
    expect(docs.filter((doc) => DEPENDENCY_UNAVAILABLE_METRIC in doc)).toEqual([]);
  });
});
