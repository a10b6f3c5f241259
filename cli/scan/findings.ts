/**
 * The catalogue of findings: one stable id per check, what it rests on and what to change
 * when it fails. Ids never change meaning; a check that changes meaning gets a new id.
 * docs/scanner.md describes every id; its test keeps the two in step.
 */

export type FindingStatus = 'pass' | 'fail' | 'warn' | 'skip';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Which run sends the requests of a check: the default (no credentials) or an opt-in. */
export type ScanMode = 'default' | 'register' | 'token' | 'other-resource-token' | 'login';

export interface FindingDefinition {
  readonly title: string;
  readonly severity: Severity;
  /** The requirement it rests on, with its section. */
  readonly spec: string;
  /** A page of that requirement, for code-scanning dashboards. */
  readonly specUrl: string;
  /** What to change when it fails or warns. */
  readonly remedy: string;
  /** The check runs when any of these modes is on. */
  readonly modes: readonly ScanMode[];
}

const MCP_AUTH = 'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization';
const MCP_DISCOVERY = `${MCP_AUTH}/authorization-server-discovery`;
const MCP_SECURITY = `${MCP_AUTH}/security-considerations`;
const MCP_HTTP = 'https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http';
const rfc = (n: number, section?: string) => `https://www.rfc-editor.org/rfc/rfc${n}.html${section ? `#section-${section}` : ''}`;

export const FINDINGS = {
  'auth-required': {
    title: 'An MCP request without a token is refused with 401',
    severity: 'critical',
    spec: 'MCP 2026-07-28 Authorization, "Error Handling"; RFC 6750 §3',
    specUrl: `${MCP_AUTH}#error-handling`,
    remedy: 'Validate an access token before every MCP request and answer a request without one with 401 and a WWW-Authenticate: Bearer challenge.',
    modes: ['default'],
  },
  'challenge-not-renamed': {
    title: 'The challenge reaches clients as WWW-Authenticate, not x-amzn-Remapped-WWW-Authenticate',
    severity: 'high',
    spec: 'RFC 9110 §11.6.1; RFC 9728 §5.1',
    specUrl: rfc(9728, '5.1'),
    remedy:
      'API Gateway renames a WWW-Authenticate header that an integration returns. Let API Gateway answer 401 and 403 itself (a Lambda authorizer with the UNAUTHORIZED and ACCESS_DENIED gateway responses carrying the challenge), or restore the header in front of it with a Lambda@Edge origin-response function (CloudFront viewer functions do not run on 4xx answers).',
    modes: ['default'],
  },
  'challenge-resource-metadata': {
    title: 'The 401 challenge is Bearer with resource_metadata',
    severity: 'high',
    spec: 'RFC 9728 §5.1; MCP 2025-06-18 Authorization §2.3.1; MCP 2026-07-28 "Protected Resource Metadata Discovery Requirements"',
    specUrl: `${MCP_DISCOVERY}#protected-resource-metadata-discovery-requirements`,
    remedy: 'Answer 401 with WWW-Authenticate: Bearer resource_metadata="<absolute URL of the protected resource metadata>". Clients of MCP 2025-06-18 find the authorization server only through it.',
    modes: ['default'],
  },
  'challenge-scope': {
    title: 'The 401 challenge names the scopes to request',
    severity: 'low',
    spec: 'MCP 2026-07-28 Authorization, "Scope Selection Strategy"; RFC 6750 §3',
    specUrl: `${MCP_AUTH}#scope-selection-strategy`,
    remedy: 'Add scope="<scopes a client needs to start>" to the 401 challenge, so that clients ask for least privilege instead of every scope in scopes_supported.',
    modes: ['default'],
  },
  'prm-discoverable': {
    title: 'Protected resource metadata is served where clients look for it',
    severity: 'high',
    spec: 'RFC 9728 §3, §3.1; MCP 2026-07-28 "Protected Resource Metadata Discovery Requirements"',
    specUrl: rfc(9728, '3.1'),
    remedy: 'Serve the RFC 9728 document as JSON (200) at the URL in resource_metadata and at the path-inserted well-known URL, /.well-known/oauth-protected-resource/<path of the MCP endpoint>.',
    modes: ['default'],
  },
  'prm-resource-match': {
    title: "The metadata's resource is exactly the MCP server's URL",
    severity: 'high',
    spec: 'RFC 9728 §3.3, §7.3; MCP 2026-07-28 Authorization, "Canonical Server URI"',
    specUrl: rfc(9728, '3.3'),
    remedy: 'Set resource to the exact URL clients use for the MCP endpoint (scheme, host, port and path, no trailing slash unless the URL has one). Clients must not use metadata whose resource differs.',
    modes: ['default'],
  },
  'prm-authorization-servers': {
    title: 'The metadata names at least one authorization server',
    severity: 'high',
    spec: 'RFC 9728 §2; MCP 2026-07-28 "Authorization Server Location"',
    specUrl: `${MCP_DISCOVERY}#authorization-server-location`,
    remedy: 'List the issuer identifier of your authorization server in authorization_servers (an https URL without query or fragment).',
    modes: ['default'],
  },
  'as-metadata': {
    title: 'Authorization server metadata is found, and its issuer is exactly the advertised one',
    severity: 'high',
    spec: 'RFC 8414 §3, §3.3; OpenID Connect Discovery 1.0 §4; MCP 2026-07-28 "Authorization Server Metadata Discovery"',
    specUrl: `${MCP_DISCOVERY}#authorization-server-metadata-discovery`,
    remedy:
      'Serve RFC 8414 metadata at /.well-known/oauth-authorization-server (path-inserted for an issuer with a path), or OpenID discovery, with issuer identical to the string in authorization_servers and with authorization_endpoint, token_endpoint and response_types_supported containing "code".',
    modes: ['default'],
  },
  'as-pkce-s256': {
    title: 'PKCE: S256 is advertised and plain is not',
    severity: 'high',
    spec: 'MCP 2026-07-28 Security Considerations, "Authorization Code Protection"; OAuth 2.1 §4.1.1; RFC 7636 §4.2',
    specUrl: `${MCP_SECURITY}#authorization-code-protection`,
    remedy: 'Advertise code_challenge_methods_supported: ["S256"] (MCP clients refuse to proceed without it) and refuse the plain method.',
    modes: ['default'],
  },
  'as-grant-types': {
    title: 'No implicit or password grant is offered',
    severity: 'high',
    spec: 'OAuth 2.1 §10, §10.1; RFC 9700 §2.1.2, §2.4; RFC 8414 §2',
    specUrl: rfc(9700, '2.1.2'),
    remedy: 'Offer only response_type code and the authorization_code and refresh_token grants to MCP clients; list them in grant_types_supported (its default includes implicit).',
    modes: ['default'],
  },
  'as-client-registration': {
    title: 'Clients can register: client ID metadata documents, or dynamic registration',
    severity: 'medium',
    spec: 'MCP 2026-07-28 Client Registration, "Client ID Metadata Documents", "Dynamic Client Registration"',
    specUrl: `${MCP_AUTH}/client-registration`,
    remedy: 'Support client ID metadata documents and advertise client_id_metadata_document_supported: true; dynamic registration (registration_endpoint) is deprecated but still what many clients use.',
    modes: ['default'],
  },
  'as-iss-parameter': {
    title: 'The authorization server says it sends iss in authorization responses',
    severity: 'medium',
    spec: 'RFC 9207 §2, §2.3; MCP 2026-07-28 Authorization, "Authorization Response Validation"',
    specUrl: `${MCP_AUTH}#authorization-response-validation`,
    remedy: 'Add iss=<issuer> to every authorization response, success and error, and advertise authorization_response_iss_parameter_supported: true (a mix-up defence; a future MCP revision makes it a MUST).',
    modes: ['default'],
  },
  'transport-https': {
    title: 'Every endpoint uses https (http only on loopback)',
    severity: 'high',
    spec: 'MCP 2026-07-28 Security Considerations, "Communication Security"; OAuth 2.1 §1.5',
    specUrl: `${MCP_SECURITY}#communication-security`,
    remedy: 'Serve the MCP endpoint, the metadata, the authorization server and its endpoints over https.',
    modes: ['default'],
  },
  'metadata-cors': {
    title: 'The metadata documents can be read cross-origin (browser-based clients)',
    severity: 'low',
    spec: 'RFC 8414 §3; RFC 9728 §3; Fetch Standard, CORS protocol',
    specUrl: rfc(9728, '3'),
    remedy: 'Answer GET on the protected resource metadata and the authorization server metadata with Access-Control-Allow-Origin: * (they are public documents).',
    modes: ['default'],
  },
  'jwks-public-only': {
    title: 'The JWKS holds only public keys, each with kid, alg and use',
    severity: 'critical',
    spec: 'RFC 7517 §4, §4.2, §4.4, §4.5; RFC 8725 §3.1',
    specUrl: rfc(7517, '4'),
    remedy: 'Publish only the public part of each signing key, and give each key kid, alg (e.g. RS256) and use: "sig", so that verifiers can pick the key and refuse other algorithms.',
    modes: ['default'],
  },
  'token-garbage': {
    title: 'A malformed bearer token is refused with 401 invalid_token',
    severity: 'high',
    spec: 'RFC 6750 §3.1; MCP 2026-07-28 Authorization, "Token Handling"',
    specUrl: rfc(6750, '3.1'),
    remedy: 'Answer any token that does not verify with 401 and WWW-Authenticate: Bearer error="invalid_token".',
    modes: ['default'],
  },
  'token-alg-none': {
    title: 'An unsigned token (alg: none) is refused',
    severity: 'critical',
    spec: 'RFC 8725 §2.1, §3.1; RFC 9068 §4',
    specUrl: rfc(8725, '3.1'),
    remedy: 'Verify signatures with an allow-list of algorithms (e.g. RS256 only); never accept alg "none".',
    modes: ['default'],
  },
  'token-hs256': {
    title: "An HS256 token keyed with the server's public key is refused",
    severity: 'critical',
    spec: 'RFC 8725 §2.1, §3.1',
    specUrl: rfc(8725, '2.1'),
    remedy: 'Bind each key to its algorithm: an RSA public key verifies RS256 only and is never used as an HMAC secret.',
    modes: ['default'],
  },
  'token-expired': {
    title: 'An expired token signed by a foreign key is refused',
    severity: 'high',
    spec: 'RFC 9068 §4; RFC 7519 §4.1.4; MCP 2026-07-28 Authorization, "Token Handling"',
    specUrl: rfc(9068, '4'),
    remedy: "Verify the signature against the authorization server's JWKS and refuse tokens past their exp.",
    modes: ['default'],
  },
  'register-probe-client': {
    title: 'A probe client can register (dynamic client registration)',
    severity: 'info',
    spec: 'RFC 7591 §3; MCP 2026-07-28 Client Registration, "Dynamic Client Registration"',
    specUrl: rfc(7591, '3'),
    remedy: 'Accept a registration of a public client with a loopback redirect URI, or skip --register if registration is closed on purpose.',
    modes: ['register'],
  },
  'authorize-pkce-required': {
    title: 'An authorization request without code_challenge is refused',
    severity: 'high',
    spec: 'OAuth 2.1 §4.1.1, §7.5.2; RFC 9700 §2.1.1',
    specUrl: rfc(9700, '2.1.1'),
    remedy: 'Refuse authorization requests without code_challenge (error=invalid_request to a registered redirect URI, or a page).',
    modes: ['register'],
  },
  'authorize-pkce-plain': {
    title: 'An authorization request with code_challenge_method=plain is refused',
    severity: 'high',
    spec: 'OAuth 2.1 §4.1.1; MCP 2026-07-28 Security Considerations, "Authorization Code Protection"',
    specUrl: `${MCP_SECURITY}#authorization-code-protection`,
    remedy: 'Accept only code_challenge_method=S256.',
    modes: ['register'],
  },
  'authorize-redirect-uri': {
    title: 'Unregistered and near-miss redirect_uri values are refused without a redirect',
    severity: 'critical',
    spec: 'OAuth 2.1 §2.3.1, §2.3.5, §7.12.2; RFC 9700 §4.1.3; MCP 2026-07-28 Security Considerations, "Open Redirection"',
    specUrl: `${MCP_SECURITY}#open-redirection`,
    remedy: 'Compare redirect_uri with the registered values by exact string match (only the port of a loopback URI may vary) and show an error page, never a redirect, when it does not match.',
    modes: ['register'],
  },
  'authorize-resource': {
    title: 'An authorization request for an unknown resource is refused',
    severity: 'medium',
    spec: 'RFC 8707 §2; MCP 2026-07-28 Security Considerations, "Token Audience Binding and Validation"',
    specUrl: rfc(8707, '2'),
    remedy: 'Refuse a resource parameter that names no protected resource of yours with error=invalid_target, and bind issued tokens to the requested resource (aud).',
    modes: ['register'],
  },
  'login-flow': {
    title: 'The authorization code flow with PKCE yields a token for this server',
    severity: 'high',
    spec: 'OAuth 2.1 §4.1, §8.4.2; RFC 7636 §4; RFC 8707 §2.2; MCP 2026-07-28 Authorization, "Authorization Flow Steps"',
    specUrl: `${MCP_AUTH}#authorization-flow-steps`,
    remedy: 'Let a public client with a loopback redirect URI complete the code flow with S256 and resource, and answer the token request with an access token.',
    modes: ['login'],
  },
  'authorize-response-params': {
    title: 'Authorization redirects carry state and iss',
    severity: 'medium',
    spec: 'OAuth 2.1 §4.1.2, §4.1.2.1; RFC 9207 §2, §2.4',
    specUrl: rfc(9207, '2'),
    remedy: 'Return the client\'s state unchanged and iss=<issuer> on every redirect to the client, success and error.',
    modes: ['register', 'login'],
  },
  'token-accepted': {
    title: 'The access token opens the MCP endpoint',
    severity: 'info',
    spec: 'MCP 2026-07-28 Authorization, "Access Token Usage"; OAuth 2.1 §5.1.1',
    specUrl: `${MCP_AUTH}#access-token-usage`,
    remedy: 'Pass a fresh access token issued for this MCP server (the other token probes need one).',
    modes: ['token', 'login'],
  },
  'token-tampered': {
    title: 'The token with one byte changed is refused',
    severity: 'critical',
    spec: 'OAuth 2.1 §5.2; RFC 9068 §4; RFC 6750 §3.1',
    specUrl: rfc(9068, '4'),
    remedy: 'Verify the whole token (signature, or introspection of the exact string) before serving a request.',
    modes: ['token', 'login'],
  },
  'token-audience-bound': {
    title: 'A token issued for another resource is refused',
    severity: 'critical',
    spec: 'RFC 8707 §2; RFC 9068 §4; MCP 2026-07-28 Security Considerations, "Access Token Privilege Restriction"',
    specUrl: `${MCP_SECURITY}#access-token-privilege-restriction`,
    remedy: 'Accept only tokens whose aud names this MCP server, and never pass a client\'s token through to an upstream API.',
    modes: ['other-resource-token'],
  },
  'step-up-insufficient-scope': {
    title: "A tools/call beyond the token's scope gets 403 insufficient_scope with the scope it needs",
    severity: 'medium',
    spec: 'MCP 2026-07-28 Authorization, "Runtime Insufficient Scope Errors" (SEP-2350); RFC 6750 §3.1',
    specUrl: `${MCP_AUTH}#runtime-insufficient-scope-errors`,
    remedy: 'Answer a call that needs more scope with 403 and WWW-Authenticate: Bearer error="insufficient_scope", scope="<every scope the call needs>", resource_metadata="<metadata URL>", so that clients can step up.',
    modes: ['token', 'login'],
  },
  'mcp-header-mismatch': {
    title: 'Mcp-Method and Mcp-Name headers that disagree with the body get 400',
    severity: 'high',
    spec: 'MCP 2026-07-28 Streamable HTTP, "Request Metadata", "Server Validation"',
    specUrl: `${MCP_HTTP}#server-validation`,
    remedy: 'Compare Mcp-Method and Mcp-Name with the JSON-RPC body and answer a mismatch with 400 and a HeaderMismatch (-32020) error, or a gateway that authorizes by header can be shown one tool while another runs.',
    modes: ['token', 'login'],
  },
} as const satisfies Record<string, FindingDefinition>;

export type FindingId = keyof typeof FINDINGS;

export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

export interface Finding {
  readonly id: FindingId;
  readonly title: string;
  readonly status: FindingStatus;
  readonly severity: Severity;
  readonly spec: string;
  /** What the probe saw: why it passed, failed, warned or was skipped. Never a credential. */
  readonly detail: string;
  /** What to change; only for fail and warn. */
  readonly remedy?: string;
}

export function findingOf(id: FindingId, status: FindingStatus, detail: string): Finding {
  const definition: FindingDefinition = FINDINGS[id];
  return {
    id,
    title: definition.title,
    status,
    severity: definition.severity,
    spec: definition.spec,
    detail,
    ...(status === 'fail' || status === 'warn' ? { remedy: definition.remedy } : {}),
  };
}
