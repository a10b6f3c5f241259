import { EmfAuditSink, METRICS_NAMESPACE } from '../../lambda/adapters/observability/emf-audit-sink';
import { ConsoleAuditSink } from '../../lambda/adapters/observability/console-audit-sink';
import { createSafeLogger, redact } from '../../lambda/adapters/observability/safe-logger';
import type { AuditEvent } from '../../lambda/core/ports';
import { lambdaGuardAudit } from '../../lambda/adapters/observability/guard-audit-log';
import { routeDeniedRecord } from '../../lambda/core/guard/decision-audit';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
const REFRESH = 'fam_0123456789abcdef.Qk9CQk9CQk9CQk9CQk9CQk9CQk9CQk9CQk9CQk9CQk9';

/** Everything written to stdout and stderr while `act` runs (EMF goes to stdout, error logs to stderr), one JSON document per line. */
function captureOutput(act: () => void): Record<string, any>[] {
  const lines: string[] = [];
  const record = (chunk: any) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(record), jest.spyOn(process.stderr, 'write').mockImplementation(record)];
  try {
    act();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('EmfAuditSink', () => {
  const sink = new EmfAuditSink({ serviceName: 'authorization-server' });

  it.each<[AuditEvent, string]>([
    [{ type: 'refresh_reuse_detected', clientId: 'c1', familyId: 'f1' }, 'RefreshReuseDetected'],
    [{ type: 'refresh_forged', clientId: 'c1', familyId: 'f1' }, 'RefreshForged'],
    [{ type: 'code_replay_detected', clientId: 'c1' }, 'CodeReplayDetected'],
    [{ type: 'client_registered', clientId: 'c1', source: 'dynamic' }, 'ClientsRegistered'],
    [{ type: 'token_revoked', clientId: 'c1', what: 'refresh_token' }, 'TokensRevoked'],
    [{ type: 'login_completed', subject: 'alice' }, 'LoginsCompleted'],
  ])('writes %j as one EMF count of %s in the McpOAuth namespace', (event, metric) => {
    const [doc] = captureOutput(() => sink.emit(event));

    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Metrics).toEqual([{ Name: metric, Unit: 'Count' }]);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(doc[metric]).toBe(1);
    expect(doc.service).toBe('authorization-server');
    expect(JSON.stringify(doc)).not.toContain('alice');
  });

  it.each([
    ['authorization_code', 'authorization_code'],
    ['client_credentials', 'client_credentials'],
    ['jwt-bearer', 'jwt-bearer'],
    ['token-exchange', 'token-exchange'],
    ['something-unforeseen', 'other'],
  ])('counts TokensIssued with the GrantType dimension (%s -> %s), never the subject', (grantType, dimension) => {
    const [doc] = captureOutput(() => sink.emit({ type: 'token_issued', grantType, clientId: 'c1', subject: 'alice' }));
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Metrics).toEqual([{ Name: 'TokensIssued', Unit: 'Count' }]);
    expect(directive.Dimensions).toEqual([['service', 'GrantType']]);
    expect(doc.GrantType).toBe(dimension);
    expect(JSON.stringify(doc)).not.toContain('alice');
  });

  it('gives RequestsRejected an Endpoint dimension and the error as a property', () => {
    const [doc] = captureOutput(() => sink.emit({ type: 'request_rejected', endpoint: '/token', error: 'invalid_grant' }));

    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'Endpoint']]);
    expect(doc.Endpoint).toBe('/token');
    expect(doc.RequestsRejected).toBe(1);
    expect(doc.error).toBe('invalid_grant');
  });
});

describe('safe logger', () => {
  it('logs the error name, message, stack and cause, with token-shaped text blanked', () => {
    const { logError } = createSafeLogger({ serviceName: 'authorization-server' });
    const error = new Error(`could not parse Bearer ${JWT} or ${REFRESH}`, { cause: new TypeError('inner Basic dXNlcjpwYXNz') });

    const [doc] = captureOutput(() => logError('unhandled error', error));

    expect(doc.level).toBe('ERROR');
    expect(doc.message).toBe('unhandled error');
    expect(doc.error.name).toBe('Error');
    expect(doc.error.message).toBe('could not parse Bearer [redacted-jwt] or [redacted-token]');
    expect(doc.error.stack).toContain('observability.test.ts');
    expect(doc.error.cause).toMatchObject({ name: 'TypeError', message: 'inner Basic [redacted]' });
    const text = JSON.stringify(doc);
    for (const secret of [JWT, REFRESH, 'dXNlcjpwYXNz']) expect(text).not.toContain(secret);
  });

  it('redacts a bare JWT anywhere in text', () => {
    expect(redact(`token=${JWT}&x=1`)).toBe('token=[redacted-jwt]&x=1');
  });

  it('describes a thrown non-Error value without crashing', () => {
    const { logError } = createSafeLogger({ serviceName: 'authorization-server' });

    const [doc] = captureOutput(() => logError('odd failure', 'a string'));

    expect(doc.error).toEqual({ name: 'string', message: 'a string' });
  });
});

describe('ConsoleAuditSink', () => {
  it('prints one short line per event', () => {
    const lines: string[] = [];
    const sink = new ConsoleAuditSink((line) => lines.push(line));

    sink.emit({ type: 'token_issued', grantType: 'refresh_token', clientId: 'c1', subject: 'alice' });
    sink.emit({ type: 'request_rejected', endpoint: '/token', error: 'invalid_grant' });

    expect(lines).toEqual(['audit token issued: refresh_token for alice via c1', 'audit rejected at /token: invalid_grant']);
  });
});

describe('lambdaGuardAudit', () => {
  const record = routeDeniedRecord({ resource: 'https://mcp.example.com/mcp', subject: 'alice', clientId: 'client-1' }, { method: 'POST', resourcePath: '/mcp' }, ['tool:read', 'admin'], ['admin']);
  const linesWrittenBy = (act: () => void) => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    try {
      act();
    } finally {
      spy.mockRestore();
    }
    return lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  };

  it('writes each record as one Powertools log line, its fields top-level keys (the saved queries read them)', () => {
    const audit = lambdaGuardAudit('mcp-oauth-authorizer');
    const [first, second] = linesWrittenBy(() => (audit(record), audit(record)));
    expect(first).toEqual({ level: 'INFO', message: 'mcp_route_denied', timestamp: expect.any(String), service: 'mcp-oauth-authorizer', sampling_rate: 0, ...record });
    expect(second).toEqual({ ...first, timestamp: expect.any(String) });
  });

  it('takes a Logger of the caller\'s instead', () => {
    const info = jest.fn();
    lambdaGuardAudit('svc', { info } as never)(record);
    expect(info).toHaveBeenCalledWith('mcp_route_denied', record);
  });
});
