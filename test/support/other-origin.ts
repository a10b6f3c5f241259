/**
 * A web page on another origin, for the attacks a browser test plays: a cross-site form
 * post, a page that frames ours. It serves whatever HTML the test sets, on loopback only.
 * Local mode runs on `localhost`, so `127.0.0.1` is another site (SameSite rules apply) and
 * `localhost` on another port is the same site but another origin.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtherOrigin {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** Serves `html` at `path` from now on; returns its URL. */
  page(path: string, html: string): string;
  close(): Promise<void>;
}

export async function startOtherOrigin(host: '127.0.0.1' | 'localhost' = '127.0.0.1'): Promise<OtherOrigin> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get((req.url ?? '/').split('?')[0]);
    if (html === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    page(path, html) {
      pages.set(path, html);
      return origin + path;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Escapes a value for an attribute of the test's own attack pages. */
export function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
