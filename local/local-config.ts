/**
 * Local mode's configuration: the product configuration (lambda/adapters/config) plus the
 * `local` section that only this host reads (ports, dev users, test-only trust). The schema
 * extends the product's; the deployed functions never see the section.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import type { Config } from '../lambda/core/config';
import { about, configFileSchema, list, rule, section, text } from '../lambda/adapters/config/config-schema';
import { inlineBrandingFiles } from '../lambda/adapters/config/branding-files';
import { ConfigError, validate } from '../lambda/adapters/config/parse-config';
import { MIN_RATE_LIMIT, RATE_WINDOWS_SECONDS, type RateLimits, type StageThrottling } from '../lib/definitions/rate-rules';

export interface DevUserConfig {
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
  readonly email?: string;
}

/** A client of the dev IdP besides the authorization server itself: a script or app of the enterprise flow (docs/enterprise.md). */
export interface DevIdpClientConfig {
  readonly clientId: string;
  /** In clear text: the dev IdP is a stand-in for the enterprise's IdP, development only. */
  readonly clientSecret: string;
  /** Whether it may exchange its ID tokens for ID-JAGs. @default false */
  readonly idJagExchange: boolean;
}

export interface LocalConfig {
  /** Port of the dev IdP; its issuer is http://localhost:<port>. */
  readonly devIdpPort: number;
  readonly devUsers: readonly DevUserConfig[];
  /** Port of DynamoDB Local. */
  readonly dynamoDbPort: number;
  /**
   * TESTS ONLY. Origins (`https://<name>.localhost:<port>`) whose client ID metadata
   * documents local mode fetches from loopback despite the SSRF policy, so an end-to-end
   * test can serve a document. Names under `.localhost` always mean loopback (RFC 6761);
   * anything else is refused by validation. Never available in AWS: the deployed
   * functions do not read the local section.
   * @default []
   */
  readonly trustedMetadataOrigins: readonly string[];
  /**
   * TESTS ONLY. A PEM file with the CA certificate of the test server behind
   * trustedMetadataOrigins, trusted in addition to the public CAs (a relative path is
   * read from the config file's folder). Certificate verification is never turned off.
   */
  readonly metadataCaFile?: string;
  /**
   * Overrides of the deployed WAF rate limits (DEFAULT_RATE_LIMITS, which deploy.rateLimits
   * overrides on AWS), for tests and soaks that need other limits. Same names, windows
   * (60, 120, 300, 600 s) and minimum (10) as AWS WAF allows. @default the deployed defaults
   */
  readonly rateLimits?: Partial<RateLimits>;
  /** Overrides of the deployed stage throttling (DEFAULT_STAGE_THROTTLING; deploy.stageThrottling on AWS). @default the deployed defaults */
  readonly stageThrottling?: { readonly authorizationServer?: Partial<StageThrottling>; readonly protectedApi?: Partial<StageThrottling> };
  /**
   * More clients of the dev IdP (authorization code with PKCE from any loopback redirect URI,
   * and, with idJagExchange, the ID-JAG token exchange). @default []
   */
  readonly devIdpClients: readonly DevIdpClientConfig[];
  /** The dev IdP's enterprise policy for ID-JAGs: group -> resource URI -> scopes. @default {} */
  readonly idJagPolicy: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** What local mode runs on: the product configuration and its own section. */
export type LocalModeConfig = Config & { readonly local: LocalConfig };

const port = (fallback: number) => {
  const message = 'must be a port number (1-65535)';
  return z._default(z.int({ error: message }).check(z.gte(1, { error: message }), z.lte(65535, { error: message })), fallback);
};

/** `<label>.localhost` and deeper: client ID URLs need a fully qualified name, so bare `localhost` cannot serve one. */
function isLocalhostSubdomain(hostname: string): boolean {
  return /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+localhost$/.test(hostname);
}

/** An https origin on a name under .localhost (RFC 6761: always loopback). */
const loopbackHttpsOrigin = text().check(rule((s: string) => {
  if (!s) return [];
  let url: URL | undefined;
  try {
    url = new URL(s);
  } catch {
    url = undefined;
  }
  return !url || url.protocol !== 'https:' || url.origin !== s || !isLocalhostSubdomain(url.hostname)
    ? ['must be an https origin (no path) on a name under .localhost, e.g. https://client.localhost:8443 (a test-only loopback server)']
    : [];
}));

const RATE_LIMIT_MESSAGE = `must be a whole number >= ${MIN_RATE_LIMIT} (the AWS WAF minimum)`;
const rateLimit = z.optional(z.int({ error: RATE_LIMIT_MESSAGE }).check(z.gte(MIN_RATE_LIMIT, { error: RATE_LIMIT_MESSAGE })));
const rateWindow = z.optional(z.literal(RATE_WINDOWS_SECONDS, { error: `must be one of ${RATE_WINDOWS_SECONDS.join(', ')} (the windows AWS WAF accepts)` }));
const rateLimitsOverride = section({
  windowSeconds: rateWindow,
  authorize: rateLimit,
  token: rateLimit,
  register: rateLimit,
  revoke: rateLimit,
  introspect: rateLimit,
  authorizationServerAllPaths: rateLimit,
  mcp: rateLimit,
  mcpAllPaths: rateLimit,
});
const POSITIVE = 'must be a whole number > 0';
const throttlingOverride = z.optional(section({
  ratePerSecond: z.optional(z.int({ error: POSITIVE }).check(z.gte(1, { error: POSITIVE }))),
  burst: z.optional(z.int({ error: POSITIVE }).check(z.gte(1, { error: POSITIVE }))),
}));

const localSectionSchema = about(section({
  devIdpPort: about(port(8789), 'Port of the dev IdP; its issuer is http://localhost:<port>.'),
  dynamoDbPort: about(port(8790), 'Port of DynamoDB Local.'),
  devUsers: about(list(section({ username: text(), password: text(), groups: list(text()), email: z.optional(text()) })), 'The dev IdP\'s users, in clear text: development only.'),
  trustedMetadataOrigins: about(z._default(list(loopbackHttpsOrigin), []), 'TESTS ONLY: https origins under .localhost whose client ID metadata documents are fetched from loopback.'),
  metadataCaFile: about(z.optional(text()), 'TESTS ONLY: a PEM CA certificate for the servers of trustedMetadataOrigins.'),
  rateLimits: about(z.optional(rateLimitsOverride), 'Overrides of the deployed WAF rate limits (the names of deploy.rateLimits), e.g. for tests and soaks; default: the deployed limits.'),
  stageThrottling: about(z.optional(section({ authorizationServer: throttlingOverride, protectedApi: throttlingOverride })), 'Overrides of the deployed stage throttling (deploy.stageThrottling); default: the deployed values.'),
  devIdpClients: about(z._default(list(section({ clientId: text(), clientSecret: text(), idJagExchange: z._default(z.boolean({ error: 'must be true or false' }), false) })), []), 'More clients of the dev IdP (any loopback redirect URI; idJagExchange: may exchange ID tokens for ID-JAGs). Secrets in clear text: development only.'),
  idJagPolicy: about(z._default(z.record(z.string(), z.record(z.string(), list(text()), { error: 'must be an object' }), { error: 'must be an object' }), {}), 'The dev IdP\'s enterprise policy for ID-JAGs: group -> resource URI -> scopes.'),
}), 'Local mode only (npm start); the deployed functions never read it.').check(z.superRefine((local, ctx) => {
  if (local.metadataCaFile !== undefined && local.trustedMetadataOrigins.length === 0) {
    ctx.issues.push({ code: 'custom', message: 'is only for the test servers of local.trustedMetadataOrigins, which is empty', input: local, path: ['metadataCaFile'] });
  }
}));

/** The whole config file as both hosts read it: the product's options and, optionally, local mode's section. */
export const configFileSchemaWithLocal = configFileSchema(z.optional(localSectionSchema));

/** Validates a config file for local mode, or throws ConfigError listing every problem; the `local` section is required here. */
export function parseLocalModeConfig(input: unknown): LocalModeConfig {
  const { config, local } = validate(configFileSchemaWithLocal, input);
  if (!local) throw new ConfigError(['local: local mode needs a "local" section (devIdpPort, dynamoDbPort, devUsers)']);
  const problems = config.resources.flatMap((resource, i) => localBackendProblems(resource.backend).map((problem) => `resources[${i}].backend.${problem}`));
  if (problems.length) throw new ConfigError(problems);
  return { ...config, local };
}

/** What local mode cannot run: a Lambda backend (AWS only) and a secret kept in Secrets Manager. */
function localBackendProblems(backend: Config['resources'][number]['backend']): string[] {
  if (!backend) return [];
  if ('lambdaFunctionArn' in backend) return ['lambdaFunctionArn: runs on AWS only; serve your MCP server over HTTP and use backend.httpUrl in local mode'];
  return backend.sharedSecret && backend.sharedSecret.value === undefined ? ['sharedSecret.secretArn: is read from Secrets Manager on AWS only; local mode needs backend.sharedSecret.value'] : [];
}


/** A config file's content as the schema takes it: the JSON, with the files it names (branding.logoSvgFile, relative to its folder) read in. */
export function readConfigFile(path: string): Record<string, unknown> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  try {
    return inlineBrandingFiles(raw, dirname(path)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** Reads and validates local mode's config file; `portOverride` moves the authorization server and so the issuer. */
export function loadLocalConfig(path: string, portOverride?: number): LocalModeConfig {
  let raw = readConfigFile(path);
  if (portOverride !== undefined) raw = { ...raw, issuer: `http://localhost:${portOverride}` };
  let config: LocalModeConfig;
  try {
    config = parseLocalModeConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`${path}: ${error.message}`);
    throw error;
  }
  const issuer = new URL(config.issuer);
  if (issuer.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(issuer.hostname) || !issuer.port) {
    throw new Error(`${path}: issuer must be http://localhost:<port> in local mode (got ${config.issuer})`);
  }
  return config;
}
