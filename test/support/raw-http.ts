/**
 * A tiny HTTP client over node:http for tests that must see the wire as it is: repeated
 * request headers sent as separate lines, and every response header line kept.
 */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; repeated headers keep every value. */
  readonly headers: Record<string, string[]>;
  readonly body: string;
}

export function rawRequest(url: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string[]> = {};
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) (headers[res.rawHeaders[i].toLowerCase()] ??= []).push(res.rawHeaders[i + 1]);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
