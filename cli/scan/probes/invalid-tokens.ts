/**
 * Tokens the MCP endpoint must refuse, sent without any credential of the user: garbage, an
 * unsigned JWT, an HS256 JWT keyed with the server's own public key, and an expired JWT
 * signed by a key the server never published (RFC 8725 §2.1, §3.1). Each is built to pass
 * every other check (issuer, audience, scope, kid), so an acceptance names the one flaw.
 */
import { expiredForeignToken, garbageToken, publicKeyHmacToken, rsaJwkToPem, unsignedToken, type ForgeryTarget } from '../forged-tokens';
import { initialScope, NOT_PROTECTED, resourceOf, skip, type Probe, type ScanContext } from '../probe';
import { judgeRefusal, presentToken } from '../token-refusal';
import { issuerOf } from './authorization-server';

function forgeryTarget(ctx: ScanContext): ForgeryTarget {
  const kid = ctx.jwksKeys?.find((k) => typeof k.kid === 'string')?.kid as string | undefined;
  return { issuer: issuerOf(ctx) ?? ctx.target.origin, audience: resourceOf(ctx), scope: initialScope(ctx), kid, nowSeconds: ctx.settings.nowSeconds() };
}

export const invalidTokenProbes: readonly Probe[] = [
  {
    id: 'token-garbage',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      return judgeRefusal(await presentToken(http, ctx.targetText, garbageToken()), 'a token that is not a JWT');
    },
  },
  {
    id: 'token-alg-none',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      return judgeRefusal(await presentToken(http, ctx.targetText, unsignedToken(forgeryTarget(ctx))), 'an alg "none" token with valid-looking claims');
    },
  },
  {
    id: 'token-hs256',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      const rsaKey = ctx.jwksKeys?.find((k) => k.kty === 'RSA');
      const pem = rsaKey ? rsaJwkToPem(rsaKey) : undefined;
      if (!pem) return skip(ctx.jwksKeys ? 'the JWKS has no RSA key to confuse with an HMAC secret' : 'no JWKS to take a public key from (jwks-public-only)');
      return judgeRefusal(await presentToken(http, ctx.targetText, publicKeyHmacToken(forgeryTarget(ctx), pem)), `an HS256 token keyed with the PEM of ${rsaKey!.kid ? `key "${rsaKey!.kid}"` : 'the RSA key'}`);
    },
  },
  {
    id: 'token-expired',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      return judgeRefusal(await presentToken(http, ctx.targetText, expiredForeignToken(forgeryTarget(ctx))), 'an RS256 token by a foreign key, expired an hour ago');
    },
  },
];
