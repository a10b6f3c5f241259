/**
 * The authorization server's JWKS (RFC 7517): anyone can read it, so a private member in it
 * (d, p, q, ... of RSA or EC, k of a symmetric key) hands out the signing key. kid lets a
 * verifier pick the key; alg and use bind it to one algorithm and purpose (RFC 8725 §3.1).
 */
import { endpointOf, fail, pass, skip, warn, type Probe } from '../probe';
import { fetchDocument } from './resource-metadata';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export const jwksProbes: readonly Probe[] = [
  {
    id: 'jwks-public-only',
    async run(ctx, http) {
      if (!ctx.authorizationServer) return skip('no usable authorization server metadata (as-metadata)');
      const jwksUri = endpointOf(ctx, 'jwks_uri');
      if (!jwksUri) return skip('the metadata has no jwks_uri (opaque tokens or introspection)');
      const found = await fetchDocument(http, jwksUri);
      if (typeof found === 'string') return warn(`jwks_uri ${jwksUri}: ${found}`);
      const keys = found.document.keys;
      if (!Array.isArray(keys) || keys.length === 0) return warn(`${jwksUri} has no keys array`);
      const jwks = keys.filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null);
      ctx.jwksKeys = jwks;
      const name = (key: Record<string, unknown>, i: number) => (typeof key.kid === 'string' ? `key "${key.kid}"` : `key #${i + 1}`);
      const exposed = jwks.flatMap((key, i) => {
        const members = PRIVATE_MEMBERS.filter((m) => m in key);
        return members.length ? [`${name(key, i)} publishes ${members.join(', ')}`] : [];
      });
      if (exposed.length) return fail(`${jwksUri}: ${exposed.join('; ')}: that is private key material`);
      const incomplete = jwks.flatMap((key, i) => {
        const missing = ['kid', 'alg', 'use'].filter((m) => typeof key[m] !== 'string');
        return missing.length ? [`${name(key, i)} has no ${missing.join(', ')}`] : [];
      });
      if (incomplete.length) return warn(`${jwksUri}: ${incomplete.join('; ')}`);
      return pass(`${jwks.length} public key${jwks.length === 1 ? '' : 's'}, each with kid, alg and use (${jwks.map((k) => `${k.kid}: ${k.alg}`).join(', ')})`);
    },
  },
];
