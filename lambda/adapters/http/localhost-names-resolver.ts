/**
 * RFC 6761 section 6.3: names under `.localhost` are loopback, whatever DNS or a hosts file
 * says, and resolvers should answer so without asking anyone. Not every system resolver
 * does, so local mode answers for them itself: a test-only trusted origin such as
 * https://client.localhost:8443 then reaches the test server on this machine everywhere,
 * while any other `.localhost` client_id still resolves to loopback and is refused by the
 * address policy. Other names go to the fallback resolver unchanged.
 */
import { systemResolve, type HostResolver, type ResolvedAddress } from './client-metadata-fetcher';

const LOOPBACK: readonly ResolvedAddress[] = [{ address: '127.0.0.1', family: 4 }];

export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

export function localhostNamesResolver(fallback: HostResolver = systemResolve): HostResolver {
  return async (hostname) => (isLocalhostName(hostname) ? LOOPBACK : fallback(hostname));
}
