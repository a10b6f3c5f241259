/**
 * The test OAuth provider (mcp-sdk-session.ts) as an MCP host implements it: when its
 * refresh token is refused, the SDK calls invalidateCredentials('tokens') and the host drops
 * them, so the next connection sends the user to authorize again. `signIn: false` plays a
 * host whose user is not there to sign in (a stolen laptop): the authorization fails.
 */
import { BrowserOAuthProvider, type BrowserOAuthProviderOptions } from './mcp-sdk-session';

export class HostOAuthProvider extends BrowserOAuthProvider {
  private dropped = false;
  /** False: redirectToAuthorization refuses, as a host whose user cannot sign in. */
  signIn = true;

  constructor(options: BrowserOAuthProviderOptions) {
    super(options);
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.dropped = true;
  }

  tokens() {
    return this.dropped ? undefined : super.tokens();
  }

  saveTokens(tokens: Parameters<BrowserOAuthProvider['saveTokens']>[0]): void {
    this.dropped = false;
    super.saveTokens(tokens);
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (!this.signIn) throw new Error('the user is not there to sign in');
    return super.redirectToAuthorization(authorizationUrl);
  }
}
