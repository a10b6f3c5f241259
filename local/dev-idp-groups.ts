/**
 * UpstreamGroups over the dev IdP's admin endpoint (local/dev-idp.ts), local mode's stand-in for
 * Cognito's AdminListGroupsForUser: `GET <issuer>/admin/users/<sub>/groups` with the upstream
 * client's credentials. A user the dev IdP does not know: undefined (sign in again).
 */
import { DependencyUnavailableError } from '../lambda/core/errors';
import type { UpstreamGroups } from '../lambda/core/ports';

export interface DevIdpGroupsOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

const UPSTREAM = 'upstream identity provider';

export class DevIdpGroups implements UpstreamGroups {
  constructor(private readonly options: DevIdpGroupsOptions) {}

  async currentGroups(subject: string): Promise<readonly string[] | undefined> {
    const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    const credentials = Buffer.from(`${encode(this.options.clientId)}:${encode(this.options.clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(`${this.options.issuer}/admin/users/${encodeURIComponent(subject)}/groups`, {
        headers: { authorization: `Basic ${credentials}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new DependencyUnavailableError(UPSTREAM, { cause: error });
    }
    if (response.status === 404) return undefined;
    const body = (await response.json().catch(() => undefined)) as { groups?: unknown } | undefined;
    if (response.status !== 200 || !Array.isArray(body?.groups)) throw new DependencyUnavailableError(UPSTREAM, { cause: new Error(`dev IdP groups answered HTTP ${response.status}`) });
    return body.groups.filter((g): g is string => typeof g === 'string');
  }
}
