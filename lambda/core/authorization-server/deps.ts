/**
 * Everything the authorization server core needs from outside, injected by the one deps
 * builder (lambda/adapters/wiring) that both hosts use. Nothing here is constructed by the
 * core itself.
 */
import type { Config } from '../config';
import type {
  AuditSink,
  AuthorizationCodeStore,
  AuthorizationCommits,
  ClientMetadataFetcher,
  ClientStore,
  Clock,
  CookieKeys,
  GrantWriter,
  Random,
  RefreshFamilyStore,
  RevocationStore,
  SessionStore,
  Signer,
  TokenRequestReads,
  UpstreamGroups,
  UpstreamIdp,
  TrustedIssuerKeys,
  UsedAssertionStore,
} from '../ports';

export interface AuthorizationServerDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly random: Random;
  readonly signer: Signer;
  readonly clients: ClientStore;
  readonly codes: AuthorizationCodeStore;
  readonly families: RefreshFamilyStore;
  /** The writes that issue tokens at /token, each atomic with its conditions. */
  readonly grantWriter: GrantWriter;
  readonly revocations: RevocationStore;
  /** POST /token's first round trip: everything the request names, in one read. */
  readonly tokenRequestReads: TokenRequestReads;
  readonly sessions: SessionStore;
  /** The end of a browser authorization (single-use marker, session listing, consents, code) as one conditional write. */
  readonly commits: AuthorizationCommits;
  /** The keys that seal the pending-authorization and login-session cookies. */
  readonly cookieKeys: CookieKeys;
  /** The jti of every client assertion and ID-JAG accepted, until it expires. */
  readonly usedAssertions: UsedAssertionStore;
  /** The JWKS of each trusted enterprise IdP, cached. */
  readonly trustedIssuerKeys: TrustedIssuerKeys;
  readonly upstream: UpstreamIdp;
  /** Re-reads a user's groups at refresh (docs/operations.md, "Groups at refresh"). */
  readonly upstreamGroups: UpstreamGroups;
  readonly metadataFetcher: ClientMetadataFetcher;
  readonly audit: AuditSink;
  /** Structured log of server-side failures; never given tokens or secrets. */
  readonly logError: (message: string, error: unknown) => void;
}
