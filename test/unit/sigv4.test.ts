/**
 * Our SigV4 (the authorizer's DynamoDB call, without the SDK) against the SDK's own signer,
 * on the request the authorizer sends: the same Authorization header, or DynamoDB would
 * refuse every revocation look-up and the authorizer would fail closed.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { signRequest } from '../../lambda/adapters/aws-clients/sigv4';

/** The SDK's hash interface on node:crypto (an HMAC when given a secret). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function bytes(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

const body = JSON.stringify({ RequestItems: { 'stack-revocations': { Keys: [{ pk: { S: 'jti#3f0c' } }, { pk: { S: 'subject#alice  smith' } }], ConsistentRead: true } } });
const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.BatchGetItem' };
const now = new Date('2026-12-02T19:04:05.678Z');

async function sdkSignature(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, host: string, region: string): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service: 'dynamodb', sha256: NodeSha256, applyChecksum: false });
  const signed = await signer.sign({ method: 'POST', protocol: 'https:', hostname: host, path: '/', query: {}, headers: { ...headers, host }, body }, { signingDate: now });
  return signed.headers as Record<string, string>;
}

describe('signRequest', () => {
  it.each([
    ['temporary credentials (Lambda)', { accessKeyId: 'ASIAEXAMPLE000000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjE//token+with/odd=chars' }, 'dynamodb.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['long-term credentials, a port in the host', { accessKeyId: 'AKIAEXAMPLE000000002', secretAccessKey: 'another/secret+key' }, '127.0.0.1:8443', 'us-east-1'],
  ])('signs as the SDK does, with %s', async (_label, credentials, host, region) => {
    const ours = signRequest({ method: 'POST', host, path: '/', headers, body }, { service: 'dynamodb', region, credentials, now });
    const sdk = await sdkSignature(credentials, host, region);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe('20261202T190405Z');
    expect(ours['x-amz-security-token']).toBe('sessionToken' in credentials ? credentials.sessionToken : undefined);
  });

  it('signs the body: another body, another signature', () => {
    const scope = { service: 'dynamodb', region: 'eu-west-1', credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' }, now };
    const one = signRequest({ method: 'POST', host: 'h', path: '/', headers, body }, scope);
    const other = signRequest({ method: 'POST', host: 'h', path: '/', headers, body: body.replace('3f0c', '3f0d') }, scope);
    expect(one.authorization).not.toBe(other.authorization);
  });
});
