/**
 * Everything the authorization server core needs from outside, injected by the handler
 * (Lambda) or by local mode. Nothing here is constructed by the core itself.
 */
import type { Config } from '../config';
import type {
  AuditSink,
  AuthorizationCodeStore,
  ClientMetadataFetcher,
  ClientStore,
  Clock,
  Random,
  RefreshFamilyStore,
  RevocationStore,
  SessionStore,
  Signer,
  UpstreamIdp,
} from '../ports';

export interface AuthorizationServerDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly random: Random;
  readonly signer: Signer;
  readonly clients: ClientStore;
  readonly codes: AuthorizationCodeStore;
  readonly families: RefreshFamilyStore;
  readonly revocations: RevocationStore;
  readonly sessions: SessionStore;
  readonly upstream: UpstreamIdp;
  readonly metadataFetcher: ClientMetadataFetcher;
  readonly audit: AuditSink;
  /** Structured log of server-side failures; never given tokens or secrets. */
  readonly logError: (message: string, error: unknown) => void;
}

/** Paths of the endpoints, relative to the issuer. One place, so metadata and router agree. */
export const ENDPOINT_PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  jwks: '/.well-known/jwks.json',
  authorize: '/authorize',
  consent: '/consent',
  upstreamCallback: '/callback',
  token: '/token',
  register: '/register',
  revoke: '/revoke',
  introspect: '/introspect',
} as const;

export function nowSeconds(deps: Pick<AuthorizationServerDeps, 'clock'>): number {
  return Math.floor(deps.clock.nowMs() / 1000);
}
