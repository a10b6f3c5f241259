/**
 * Minting an authorization code: 256 random bits shown once to the client, stored only as
 * SHA-256, bound to the client, redirect URI, PKCE challenge, resources and scope that
 * /token will check again. It lives config.tokens.authorizationCodeSeconds (60 s default,
 * at most 600: OAuth 2.1 section 4.1.2).
 */
import { randomToken, sha256Base64url } from '../crypto';
import { nowSeconds, type AuthorizationCodeRecord } from '../ports';
import type { AuthorizationServerDeps } from './deps';

/** What the user approved: the code's record less what minting it adds. */
export type CodeGrant = Omit<AuthorizationCodeRecord, 'codeHash' | 'issuedAt' | 'expiresAt' | 'redeemedAt' | 'familyId'>;

/** Stores the code's record and returns the code itself, which exists nowhere else. */
export async function issueAuthorizationCode(deps: AuthorizationServerDeps, grant: CodeGrant): Promise<string> {
  const { code, record } = mintAuthorizationCode(deps, grant);
  await deps.codes.put(record);
  return code;
}

/** The code and the record to store for it, for a caller that writes it with other items (authorization-outcome.ts). */
export function mintAuthorizationCode(deps: AuthorizationServerDeps, grant: CodeGrant): { readonly code: string; readonly record: AuthorizationCodeRecord } {
  const code = randomToken(deps.random, 32);
  const now = nowSeconds(deps);
  const record: AuthorizationCodeRecord = {
    codeHash: sha256Base64url(code),
    clientId: grant.clientId,
    redirectUri: grant.redirectUri,
    redirectUriWasSent: grant.redirectUriWasSent,
    codeChallenge: grant.codeChallenge,
    resources: [...grant.resources],
    scope: [...grant.scope],
    subject: grant.subject,
    authTime: grant.authTime,
    issuedAt: now,
    expiresAt: now + deps.config.tokens.authorizationCodeSeconds,
  };
  return { code, record };
}
