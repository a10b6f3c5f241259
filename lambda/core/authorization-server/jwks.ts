/**
 * GET /.well-known/jwks.json: the keys resource servers verify our tokens with. Publicly
 * cacheable for a few minutes; rotation publishes a key before it signs (docs/design.md, "Signing keys"), so
 * a cached copy never lacks the key of a token it will meet.
 */
import type { HttpRequest, HttpResponse } from '../http';
import type { AuthorizationServerDeps } from './deps';
import { publicJsonResponse } from './responses';

const JWKS_MAX_AGE_SECONDS = 300;

export async function handleJwks(deps: Pick<AuthorizationServerDeps, 'signer'>, _request: HttpRequest): Promise<HttpResponse> {
  const keys = await deps.signer.publicKeys();
  // Copy only the public members we mean to publish, whatever else an adapter attached.
  const published = keys.map(({ kty, kid, alg, use, n, e }) => ({ kty, kid, alg, use, n, e }));
  return publicJsonResponse({ keys: published }, JWKS_MAX_AGE_SECONDS);
}
