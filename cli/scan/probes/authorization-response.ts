/**
 * Every redirect back to the client that the --register and --login probes saw: each must
 * return the state sent (OAuth 2.1 §4.1.2) and carry iss equal to the issuer (RFC 9207 §2).
 * A client must reject a response without iss when the metadata promises it (RFC 9207 §2.4),
 * so a missing iss is a failure there, and a warning where the server never promised it.
 */
import { fail, pass, skip, warn, type Probe } from '../probe';
import { issuerOf } from './authorization-server';

export const authorizationResponseProbes: readonly Probe[] = [
  {
    id: 'authorize-response-params',
    async run(ctx) {
      if (ctx.redirects.length === 0) {
        return skip(
          ctx.settings.login
            ? 'no redirect back to the client was seen'
            : 'no redirect back to the client was seen: this server answers bad requests with a page; --login shows a success redirect',
        );
      }
      const issuer = issuerOf(ctx);
      const promised = ctx.authorizationServer?.document.authorization_response_iss_parameter_supported === true;
      const problems: string[] = [];
      const missingIss: string[] = [];
      for (const redirect of ctx.redirects) {
        const states = redirect.params.getAll('state');
        if (states.length !== 1 || states[0] !== redirect.sentState) problems.push(`${redirect.during}: state ${states.length ? 'changed' : 'missing'}`);
        const iss = redirect.params.getAll('iss');
        if (iss.length === 0) missingIss.push(redirect.during);
        else if (iss.length > 1 || iss[0] !== issuer) problems.push(`${redirect.during}: iss=${iss.join(',')} is not the issuer "${issuer}"`);
      }
      if (missingIss.length && promised) problems.push(`no iss (which the metadata promises) on ${missingIss.join(', ')}`);
      if (problems.length) return fail(problems.join('; '));
      if (missingIss.length) return warn(`state comes back, but no iss on ${missingIss.join(', ')}`);
      return pass(`${ctx.redirects.length} redirect${ctx.redirects.length === 1 ? '' : 's'} back to the client, each with the state sent and iss="${issuer}"`);
    },
  },
];
