/**
 * What a probe is, and what the probes learn from the target and hand to the ones after
 * them (the challenge, the metadata, the probe client, the session under a token). Each
 * probe decides one finding; a probe whose prerequisite is missing skips and says which
 * earlier finding explains why, so a server wrong in one way fails exactly one finding.
 */
import type { FindingId, FindingStatus } from './findings';
import type { AdvertisedHosts, HttpReply, ProbeHttp } from './http';
import type { McpSession } from './mcp-session';
import type { Challenge } from './www-authenticate';

export interface Outcome {
  readonly status: FindingStatus;
  readonly detail: string;
}

export const pass = (detail: string): Outcome => ({ status: 'pass', detail });
export const fail = (detail: string): Outcome => ({ status: 'fail', detail });
export const warn = (detail: string): Outcome => ({ status: 'warn', detail });
export const skip = (detail: string): Outcome => ({ status: 'skip', detail });

export interface Probe {
  readonly id: FindingId;
  run(ctx: ScanContext, http: ProbeHttp): Promise<Outcome>;
}

/** Opens the user's browser at the authorization URL (the --login probe); injectable for tests. */
export type BrowserOpener = (authorizationUrl: string) => Promise<void>;

export interface ScanSettings {
  readonly register: boolean;
  readonly token?: string;
  readonly otherResourceToken?: string;
  readonly login: boolean;
  /** How long the requests of one probe may take, together. */
  readonly timeoutMs: number;
  /** How long --login waits for the user to finish in the browser. */
  readonly loginTimeoutMs: number;
  readonly openBrowser: BrowserOpener;
  /** Where --login tells the user what to do. */
  readonly say: (line: string) => void;
  readonly fetchImpl?: typeof fetch;
  readonly nowSeconds: () => number;
}

export interface ObservedChallenge {
  /** Which header carried it: the standard one, API Gateway's renamed one, or none. */
  readonly source: 'standard' | 'renamed' | 'none';
  readonly raw?: string;
  readonly bearer?: Challenge;
}

export interface ProtectedResourceMetadata {
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
}

export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
}

/** A redirect back to the client seen during the scan, for the state and iss checks. */
export interface ObservedRedirect {
  readonly sentState: string;
  readonly params: URLSearchParams;
  readonly during: string;
}

export interface ProbeClient {
  readonly clientId: string;
  readonly redirectUri: string;
}

export interface ScanContext {
  /** The MCP URL exactly as given (the resource identifier clients compare with). */
  readonly targetText: string;
  readonly target: URL;
  readonly settings: ScanSettings;
  readonly hosts: AdvertisedHosts;
  /** Everything secret the scan holds; reports are scrubbed of each. */
  readonly secrets: Set<string>;
  readonly redirects: ObservedRedirect[];

  unauthenticated?: HttpReply;
  /** Whether the server asks for authorization at all (false: nothing else to audit). */
  authRequired?: boolean;
  challenge?: ObservedChallenge;
  prm?: ProtectedResourceMetadata;
  /** The metadata's resource, once it matched the MCP URL (in form at least). */
  resource?: string;
  authorizationServers?: readonly string[];
  authorizationServer?: AuthorizationServerMetadata;
  jwksKeys?: readonly Record<string, unknown>[];
  probeClient?: ProbeClient;
  /** The outcome of a valid authorization request of the probe client, to tell refusal from acceptance. */
  authorizeBaseline?: AuthorizeOutcome;
  /** The token the token probes use: --token, or what --login obtained. */
  accessToken?: string;
  session?: McpSession;
  /** Per tool: whether a tools/call under the token was refused for scope. */
  toolRefusals?: ReadonlyMap<string, boolean>;
}

export type AuthorizeOutcome =
  | { readonly kind: 'redirect-to-client'; readonly status: number; readonly params: URLSearchParams }
  | { readonly kind: 'redirect-elsewhere'; readonly status: number; readonly location: string }
  | { readonly kind: 'page'; readonly status: number; readonly hasForm: boolean }
  | { readonly kind: 'refused'; readonly status: number };

/** The scopes a client would ask for first: the challenge's, else scopes_supported (MCP "Scope Selection Strategy"). */
export function initialScope(ctx: ScanContext): string | undefined {
  const challenged = ctx.challenge?.bearer?.params.scope?.trim();
  if (challenged) return challenged;
  const supported = ctx.prm?.document.scopes_supported;
  return Array.isArray(supported) && supported.every((s) => typeof s === 'string') && supported.length ? supported.join(' ') : undefined;
}

/** The resource identifier tokens are for: the metadata's when it matched the MCP URL, else the URL as given. */
export function resourceOf(ctx: ScanContext): string {
  return ctx.resource ?? ctx.targetText;
}

export function endpointOf(ctx: ScanContext, name: string): string | undefined {
  const value = ctx.authorizationServer?.document[name];
  return typeof value === 'string' ? value : undefined;
}

export const NOT_PROTECTED = 'the server does not ask for authorization (auth-required)';
