/**
 * A client ID metadata document served over TLS on loopback, under a `.localhost` name
 * (RFC 6761), with a certificate made for this run. Local mode fetches it only when its
 * origin is listed in the test-only `local.trustedMetadataOrigins`, with `local.metadataCaFile`
 * naming this certificate (see startLocalStack's configOverrides).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MetadataDocumentServer {
  readonly origin: string;
  /** The client_id: the document's own URL. */
  readonly clientId: string;
  readonly caFile: string;
  close(): Promise<void>;
}

export async function startMetadataDocumentServer(host: string, document: (clientId: string) => Record<string, unknown>): Promise<MetadataDocumentServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cimd-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
  let clientId = '';
  const server = createServer({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, (req, res) => {
    if (req.url !== new URL(clientId).pathname) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client_id: clientId, ...document(clientId) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://${host}:${(server.address() as AddressInfo).port}`;
  clientId = `${origin}/oauth/client-metadata.json`;
  return {
    origin,
    clientId,
    caFile: join(dir, 'cert.pem'),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
