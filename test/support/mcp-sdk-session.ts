/**
 * The official MCP SDK client (1.x) with an OAuthClientProvider whose "browser" is the
 * headless test browser: redirectToAuthorization() logs a dev user in and approves
 * consent, and keeps the code the authorization server sent back. Everything else (the
 * 401, RFC 9728 and RFC 8414 discovery, DCR or a CIMD client_id, PKCE, the token request,
 * refresh on 401, step-up on 403) is the SDK's own code, unchanged.
 *
 * Every HTTP exchange the SDK makes goes through a recording fetch, so tests can assert
 * what a real client sent and received.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { Browser, authorizeInBrowser, type BrowserResponse } from './browser';

export interface DevUser {
  readonly username: string;
  readonly password: string;
}

export const ALICE: DevUser = { username: 'alice', password: 'alice' };
export const BOB: DevUser = { username: 'bob', password: 'bob' };

export interface BrowserOAuthProviderOptions {
  readonly user: DevUser;
  /** A loopback URL nobody listens on: the test browser stops at it and never fetches it. */
  readonly redirectUrl: string;
  /** Use a client ID metadata document (CIMD) instead of DCR, when the server supports it. */
  readonly clientMetadataUrl?: string;
  readonly clientName?: string;
  /** A client the config pre-registers (public, no scope bound): then the SDK neither registers nor uses CIMD. */
  readonly preRegisteredClientId?: string;
}

/** An OAuthClientProvider that keeps everything in memory and plays the user in the test browser. */
export class BrowserOAuthProvider implements OAuthClientProvider {
  readonly browser = new Browser();
  /** Every authorization URL the SDK sent the "user" to, in order. */
  readonly authorizationUrls: URL[] = [];
  /** Every authorization response (the redirect back to the client), in order. */
  readonly authorizationResponses: URLSearchParams[] = [];
  /** The pages the "user" saw during each authorization (login, consent), in order. */
  readonly authorizationPages: (readonly BrowserResponse[])[] = [];
  readonly clientMetadataUrl?: string;
  private client?: OAuthClientInformationMixed;
  private storedTokens?: OAuthTokens;
  private verifier?: string;
  private pendingCallback?: URLSearchParams;
  private discovery?: unknown;

  constructor(private readonly options: BrowserOAuthProviderOptions) {
    this.clientMetadataUrl = options.clientMetadataUrl;
    if (options.preRegisteredClientId) this.client = { client_id: options.preRegisteredClientId };
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? 'MCP SDK e2e client',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(clientInformation: OAuthClientInformationMixed): void {
    this.client = clientInformation;
  }

  tokens(): OAuthTokens | undefined {
    return this.storedTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.storedTokens = tokens;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('the SDK asked for a code verifier before it saved one');
    return this.verifier;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizationUrls.push(authorizationUrl);
    const result = await authorizeInBrowser(authorizationUrl.href, { username: this.options.user.username, password: this.options.user.password, browser: this.browser });
    this.authorizationResponses.push(result.params);
    this.authorizationPages.push(result.pages);
    const error = result.params.get('error');
    if (error) throw new Error(`the authorization server answered error=${error}: ${result.params.get('error_description') ?? ''}`);
    const sentState = authorizationUrl.searchParams.get('state');
    if (sentState !== null && result.params.get('state') !== sentState) throw new Error('the authorization response does not carry the state the client sent');
    this.pendingCallback = result.params;
  }

  /** The query of the last redirect back to the client (code, state, iss); each is handed out once. */
  takeCallback(): URLSearchParams {
    const callback = this.pendingCallback;
    if (!callback?.get('code')) throw new Error('no authorization code is waiting: redirectToAuthorization was not called, or the code was taken already');
    this.pendingCallback = undefined;
    return callback;
  }

  /** The code of the last authorization response; each code is handed out once. */
  takeCode(): string {
    return this.takeCallback().get('code')!;
  }

  // Kept so that the SDK can bind the callback to the authorization server it discovered (v2 warns without it).
  saveDiscoveryState(state: unknown): void {
    this.discovery = state;
  }

  discoveryState(): any {
    return this.discovery;
  }

  /** Replaces the stored access token, keeping the refresh token: lets a test present a token the server no longer accepts. */
  replaceAccessToken(accessToken: string): void {
    if (!this.storedTokens) throw new Error('no tokens stored yet');
    this.storedTokens = { ...this.storedTokens, access_token: accessToken };
  }
}

export interface RecordedExchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Headers;
  readonly requestBody?: string;
  readonly status: number;
  readonly responseHeaders: Headers;
}

/** A fetch that records every exchange (bodies of requests only: responses may be streams). */
export function recordingFetch(log: RecordedExchange[]): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const requestHeaders = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const response = await fetch(input, init);
    log.push({ method, url, requestHeaders, requestBody: typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : undefined, status: response.status, responseHeaders: response.headers });
    return response;
  };
}

export interface McpSession {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  close(): Promise<void>;
}

/**
 * What an MCP host does with only the server's URL: connect; on UnauthorizedError (the SDK
 * ran discovery and sent the user to log in), finish the authorization with the code and
 * connect again on a new transport.
 */
export async function connectWithOAuth(mcpUrl: string, provider: BrowserOAuthProvider, exchanges: RecordedExchange[] = [], options: { requestMetadata?: boolean } = {}): Promise<McpSession> {
  const fetchFn = options.requestMetadata ? withRequestMetadata(recordingFetch(exchanges)) : recordingFetch(exchanges);
  const open = async (): Promise<McpSession> => {
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: fetchFn });
    const client = new Client({ name: 'mcp-oauth-e2e', version: '1.0.0' });
    await client.connect(transport);
    return { client, transport, close: () => client.close() };
  };
  try {
    return await open();
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  const finishing = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: fetchFn });
  await finishing.finishAuth(provider.takeCode());
  return open();
}

/** The whoami tool's answer, parsed. */
export async function whoami(session: McpSession): Promise<{ sub: string; client_id: string; scopes: string[] }> {
  const result = await session.client.callTool({ name: 'whoami', arguments: {} });
  if (result.isError) throw new Error(`whoami failed: ${JSON.stringify(result.content)}`);
  const text = (result.content as { type: string; text: string }[])[0]!.text;
  return JSON.parse(text);
}

/**
 * Adds the MCP 2026-07-28 request metadata headers (Mcp-Method on every request, Mcp-Name
 * on tools/call) to a client that does not send them yet, as current clients do.
 */
export function withRequestMetadata(inner: typeof fetch): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    if (typeof init?.body !== 'string') return inner(input, init);
    const message = JSON.parse(init.body) as { method?: string; params?: { name?: string } };
    const headers = new Headers(init.headers);
    if (message.method) headers.set('Mcp-Method', message.method);
    if (message.method === 'tools/call' && message.params?.name) headers.set('Mcp-Name', message.params.name);
    return inner(input, { ...init, headers });
  };
}
