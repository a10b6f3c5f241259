/** The signing keys of the enterprise IdPs the configuration trusts (trustedIdentityProviders[].jwksUri). */
import type { JsonWebKeyConfig } from '../config';

export interface TrustedIssuerKeys {
  /**
   * The keys published at `jwksUri`, from a cache when fresh. `kid` names the key the caller
   * looks for: when the cached set lacks it, the set is fetched again (a rotation), at most
   * once in a short while. An IdP that cannot be reached throws DependencyUnavailableError.
   */
  keys(jwksUri: string, kid: string | undefined): Promise<readonly JsonWebKeyConfig[]>;
}
