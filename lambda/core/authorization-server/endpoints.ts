/**
 * The endpoints of the authorization server (RFC 8414 section 2 publishes them): the one
 * table the router, the metadata document, the CDK routes and the function groups derive
 * theirs from, so a path is written once.
 */

/**
 * The functions the deployment splits the endpoints over, so each holds only the
 * permissions its endpoints need; only `browser` talks to the upstream IdP.
 */
export const ENDPOINT_GROUPS = ['browser', 'token', 'public'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];

export interface Endpoint {
  /** Relative to the issuer. */
  readonly path: string;
  readonly group: EndpointGroup;
  /** The methods the API routes to the function: those the router serves, and OPTIONS where it answers CORS preflights. */
  readonly routedMethods: readonly string[];
}

export const ENDPOINTS = {
  authorize: { path: '/authorize', group: 'browser', routedMethods: ['GET'] },
  consent: { path: '/consent', group: 'browser', routedMethods: ['POST'] },
  upstreamCallback: { path: '/callback', group: 'browser', routedMethods: ['GET'] },
  token: { path: '/token', group: 'token', routedMethods: ['POST', 'OPTIONS'] },
  revoke: { path: '/revoke', group: 'token', routedMethods: ['POST', 'OPTIONS'] },
  introspect: { path: '/introspect', group: 'token', routedMethods: ['POST', 'OPTIONS'] },
  register: { path: '/register', group: 'public', routedMethods: ['POST', 'OPTIONS'] },
  metadata: { path: '/.well-known/oauth-authorization-server', group: 'public', routedMethods: ['GET', 'OPTIONS'] },
  jwks: { path: '/.well-known/jwks.json', group: 'public', routedMethods: ['GET', 'OPTIONS'] },
} as const satisfies Readonly<Record<string, Endpoint>>;

export type EndpointName = keyof typeof ENDPOINTS;

/** Each endpoint's path, by name. */
export const ENDPOINT_PATHS = Object.fromEntries(Object.entries(ENDPOINTS).map(([name, endpoint]) => [name, endpoint.path])) as {
  readonly [N in EndpointName]: (typeof ENDPOINTS)[N]['path'];
};
