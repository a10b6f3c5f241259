/**
 * What the CDK app needs beyond the product configuration (lambda/core/config.ts): where and
 * how to deploy. The product configuration file is the same one local mode reads; its
 * `issuer` must be the final public URL (a custom domain, or the URL clients reach without
 * one: the CloudFront distribution's, or the stage's with `edge` off), because
 * every token carries it and verifiers compare it as an exact string.
 *
 * Sources, later wins: the defaults below, the `deploy` object in cdk.json context, and
 * `-c deploy='{"...": ...}'` on the command line. `stage`, `account`, `region` and
 * `configFile` are plain context values. Errors name the option by its dotted path.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseConfig, type Config } from '../lambda/core/config';

export interface SigningKeysDeployConfig {
  /**
   * Every signing key, by a short stable name; each becomes a KMS key with an alias. All of
   * them are published in the JWKS. Rotation is publish-then-sign: add a name, deploy, wait,
   * switch `active`, deploy, and remove the old name once its last token has expired
   * (docs/key-rotation.md).
   */
  readonly keys: readonly string[];
  /** The key that signs now; one of `keys`. */
  readonly active: string;
}

export interface CustomDomainDeployConfig {
  /** e.g. auth.example.com; the issuer should then be https://auth.example.com */
  readonly domainName: string;
  /** An ACM certificate covering domainName: in us-east-1 when the API has its CloudFront edge, else in the stack's region. */
  readonly certificateArn: string;
  /** When given, an alias A record is created in this Route 53 zone. */
  readonly hostedZoneId?: string;
  readonly hostedZoneName?: string;
}

/** CloudFront serves a custom domain only with an ACM certificate from us-east-1. */
export function isEdgeCertificate(certificateArn: string): boolean {
  return /^arn:aws[a-z-]*:acm:us-east-1:/.test(certificateArn);
}

export interface RateLimitsDeployConfig {
  /** WAF rate-based rules: requests per client IP per 5 minutes, per path. */
  readonly authorizePer5Minutes: number;
  readonly tokenPer5Minutes: number;
  readonly registerPer5Minutes: number;
  /** API Gateway stage throttling (token bucket), for the whole stage. */
  readonly stageRatePerSecond: number;
  readonly stageBurst: number;
}

export interface DemoDeployConfig {
  /** Deploy the demo MCP server stack behind McpProtectedApi. */
  readonly enabled: boolean;
  /** The resource of the product configuration that the demo serves; defaults to defaultResource. */
  readonly resourceUri?: string;
  /** Custom domain of the demo API (its resource URI must then be on it); with the edge on, its certificate must be in us-east-1. */
  readonly customDomain?: CustomDomainDeployConfig;
  /** CloudFront in front of the demo API, restoring tool-level WWW-Authenticate challenges (McpProtectedApi.edge). Default: true. */
  readonly edge: boolean;
}

export interface DeploymentConfig {
  readonly stage: string;
  readonly account?: string;
  readonly region?: string;
  /** The validated product configuration; its `local` section is dropped. */
  readonly product: Config;
  /** RETAIN tables and keys, deletion protection on. Default: true for stage `prod`. */
  readonly retainData: boolean;
  readonly signingKeys: SigningKeysDeployConfig;
  readonly customDomain?: CustomDomainDeployConfig;
  /**
   * CloudFront in front of the authorization server API, restoring the `WWW-Authenticate:
   * Basic` of a 401 invalid_client (AuthorizationServerApi.edge). The issuer is then the
   * custom domain or the distribution's URL. Default: true.
   */
  readonly edge: boolean;
  /**
   * `cognito`: a user pool with groups from product.groupScopes is created and becomes the
   * upstream IdP. `external`: product.upstream (issuer, clientId, clientSecretArn) is used.
   * Default: external when product.upstream.clientSecretArn is set, else cognito.
   */
  readonly upstreamLogin: 'cognito' | 'external';
  /** Prefix of the Cognito managed login domain (<prefix>.auth.<region>.amazoncognito.com). */
  readonly cognitoDomainPrefix: string;
  readonly rateLimits: RateLimitsDeployConfig;
  /** Where alarms go; no subscription when absent (wire the topic to your paging tool). */
  readonly alarmEmail?: string;
  readonly logRetentionDays: number;
  readonly demo: DemoDeployConfig;
}

const DEFAULT_RATE_LIMITS: RateLimitsDeployConfig = {
  authorizePer5Minutes: 300,
  tokenPer5Minutes: 600,
  registerPer5Minutes: 60,
  stageRatePerSecond: 200,
  stageBurst: 400,
};

/** Stands in for the upstream section until the Cognito user pool exists; never deployed as is. */
const COGNITO_PLACEHOLDER_UPSTREAM = { issuer: 'https://cognito-idp.invalid/created-by-the-stack', clientId: 'created-by-the-stack', groupsClaim: 'cognito:groups' };

/** Retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export class DeploymentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid deployment configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'DeploymentConfigError';
  }
}

export interface DeploymentInputs {
  readonly stage?: unknown;
  readonly account?: unknown;
  readonly region?: unknown;
  /** The product configuration, already parsed as JSON (validated here). */
  readonly productConfig: unknown;
  /** The `deploy` object (or a JSON string of it). */
  readonly deploy?: unknown;
}

/** Validates everything at once and lists every problem, like parseConfig does. */
export function parseDeploymentConfig(inputs: DeploymentInputs): DeploymentConfig {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);

  let product: Config | undefined;
  const rawProduct = inputs.productConfig as Record<string, unknown> | undefined;
  // With Cognito the stack fills in the upstream section, so a configuration may leave it out.
  const withUpstream = rawProduct && typeof rawProduct === 'object' && rawProduct.upstream === undefined
    ? { ...rawProduct, upstream: COGNITO_PLACEHOLDER_UPSTREAM }
    : inputs.productConfig;
  try {
    product = parseConfig(withUpstream);
  } catch (error) {
    const nested = (error as { problems?: readonly string[] }).problems;
    if (!nested) throw error;
    problems.push(...nested.map((p) => `productConfig.${p}`));
  }

  const stage = inputs.stage === undefined ? 'dev' : inputs.stage;
  if (typeof stage !== 'string' || !/^[a-z][a-z0-9-]{0,19}$/.test(stage)) problem('stage', 'must be 1-20 lower-case letters, digits or dashes, starting with a letter');
  const optionalString = (value: unknown, path: string, pattern: RegExp, what: string): string | undefined => {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) problem(path, `must be ${what}`);
    return typeof value === 'string' ? value : undefined;
  };
  const account = optionalString(inputs.account, 'account', /^\d{12}$/, 'a 12-digit AWS account id');
  const region = optionalString(inputs.region, 'region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1');

  let deploy: Record<string, unknown> = {};
  if (typeof inputs.deploy === 'string') {
    try {
      deploy = JSON.parse(inputs.deploy) as Record<string, unknown>;
    } catch {
      problem('deploy', 'must be a JSON object');
    }
  } else if (inputs.deploy !== undefined) {
    deploy = inputs.deploy as Record<string, unknown>;
  }
  if (typeof deploy !== 'object' || deploy === null || Array.isArray(deploy)) {
    problem('deploy', 'must be an object');
    deploy = {};
  }
  const known = ['retainData', 'signingKeys', 'customDomain', 'edge', 'upstreamLogin', 'cognitoDomainPrefix', 'rateLimits', 'alarmEmail', 'logRetentionDays', 'demo'];
  for (const key of Object.keys(deploy)) if (!known.includes(key)) problem(`deploy.${key}`, `is not a known option (known: ${known.join(', ')})`);

  const retainData = deploy.retainData === undefined ? stage === 'prod' : deploy.retainData;
  if (typeof retainData !== 'boolean') problem('deploy.retainData', 'must be true or false');

  const signingKeys = parseSigningKeys(deploy.signingKeys, problem);
  const customDomain = parseCustomDomain(deploy.customDomain, 'deploy.customDomain', problem);
  const edge = deploy.edge ?? true;
  if (typeof edge !== 'boolean') problem('deploy.edge', 'must be true or false');
  if (edge === true && customDomain && typeof customDomain.certificateArn === 'string' && !isEdgeCertificate(customDomain.certificateArn)) {
    problem('deploy.customDomain.certificateArn', 'must be in us-east-1 while deploy.edge is on (CloudFront takes its certificates from there)');
  }

  if (edge === true && product && isStageUrl(product.issuer)) {
    problem('productConfig.issuer', 'is an API Gateway stage URL, which answers only through the edge while deploy.edge is on: use the edge URL or a custom domain (the authorizers fetch the JWKS from the issuer)');
  }

  const defaultLogin = product?.upstream.clientSecretArn ? 'external' : 'cognito';
  if (deploy.upstreamLogin === 'external' && rawProduct && rawProduct.upstream === undefined) problem('productConfig.upstream', 'is required for an external IdP');
  const upstreamLogin = deploy.upstreamLogin ?? defaultLogin;
  if (upstreamLogin !== 'cognito' && upstreamLogin !== 'external') problem('deploy.upstreamLogin', 'must be "cognito" or "external"');
  if (upstreamLogin === 'external' && product && !product.upstream.issuer.startsWith('https://')) problem('productConfig.upstream.issuer', 'must be https for an external IdP in AWS');

  const cognitoDomainPrefix = deploy.cognitoDomainPrefix ?? `mcp-oauth-${typeof stage === 'string' ? stage : 'dev'}`;
  if (typeof cognitoDomainPrefix !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(cognitoDomainPrefix) || /aws|amazon|cognito/.test(cognitoDomainPrefix)) {
    problem('deploy.cognitoDomainPrefix', 'must be lower-case letters, digits and dashes, and must not contain aws, amazon or cognito');
  }

  const rateLimits = { ...DEFAULT_RATE_LIMITS };
  if (deploy.rateLimits !== undefined) {
    const input = deploy.rateLimits as Record<string, unknown>;
    if (typeof input !== 'object' || input === null) problem('deploy.rateLimits', 'must be an object');
    else for (const [key, value] of Object.entries(input)) {
      if (!(key in DEFAULT_RATE_LIMITS)) problem(`deploy.rateLimits.${key}`, `is not a known option (known: ${Object.keys(DEFAULT_RATE_LIMITS).join(', ')})`);
      else if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) problem(`deploy.rateLimits.${key}`, 'must be a whole number > 0');
      else (rateLimits as Record<string, number>)[key] = value;
    }
  }
  for (const key of ['authorizePer5Minutes', 'tokenPer5Minutes', 'registerPer5Minutes'] as const) {
    if (rateLimits[key] < 10) problem(`deploy.rateLimits.${key}`, 'must be at least 10 (the WAF minimum)');
  }

  const alarmEmail = optionalString(deploy.alarmEmail, 'deploy.alarmEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an email address');
  const logRetentionDays = deploy.logRetentionDays ?? (stage === 'prod' ? 365 : 30);
  if (typeof logRetentionDays !== 'number' || !LOG_RETENTION_DAYS.includes(logRetentionDays)) problem('deploy.logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);

  const demoInput = (deploy.demo ?? {}) as Record<string, unknown>;
  const demoEnabled = demoInput.enabled ?? true;
  if (typeof demoEnabled !== 'boolean') problem('deploy.demo.enabled', 'must be true or false');
  const demoResourceUri = demoInput.resourceUri ?? product?.defaultResource;
  if (demoResourceUri !== undefined && product && !product.resources.some((r) => r.uri === demoResourceUri)) problem('deploy.demo.resourceUri', 'must be the uri of one of productConfig.resources');
  const demoCustomDomain = parseCustomDomain(demoInput.customDomain, 'deploy.demo.customDomain', problem);
  const demoEdge = demoInput.edge ?? true;
  if (typeof demoEdge !== 'boolean') problem('deploy.demo.edge', 'must be true or false');
  if (demoEdge === true && demoCustomDomain && typeof demoCustomDomain.certificateArn === 'string' && !isEdgeCertificate(demoCustomDomain.certificateArn)) {
    problem('deploy.demo.customDomain.certificateArn', 'must be in us-east-1 while deploy.demo.edge is on (CloudFront takes its certificates from there)');
  }
  if (demoEnabled === true && demoEdge === true && typeof demoResourceUri === 'string' && isStageUrl(demoResourceUri)) {
    problem('deploy.demo.resourceUri', 'is an API Gateway stage URL, which answers only through the edge while deploy.demo.edge is on: use the edge URL or a custom domain');
  }

  if (problems.length || !product) throw new DeploymentConfigError(problems);
  return {
    stage: stage as string,
    account,
    region,
    product: { ...product, local: undefined },
    retainData: retainData as boolean,
    signingKeys,
    customDomain,
    edge: edge as boolean,
    upstreamLogin: upstreamLogin as 'cognito' | 'external',
    cognitoDomainPrefix: cognitoDomainPrefix as string,
    rateLimits,
    alarmEmail,
    logRetentionDays: logRetentionDays as number,
    demo: { enabled: demoEnabled as boolean, resourceUri: demoResourceUri as string | undefined, customDomain: demoCustomDomain, edge: demoEdge as boolean },
  };
}

/** An execute-api stage URL: behind the edge its web ACL refuses every request that did not come through CloudFront. */
function isStageUrl(url: string): boolean {
  try {
    return /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

function parseSigningKeys(input: unknown, problem: (path: string, message: string) => void): SigningKeysDeployConfig {
  if (input === undefined) return { keys: ['primary'], active: 'primary' };
  const o = input as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) {
    problem('deploy.signingKeys', 'must be an object with keys and active');
    return { keys: [], active: '' };
  }
  const keys = Array.isArray(o.keys) ? o.keys : [];
  if (!Array.isArray(o.keys) || keys.length === 0) problem('deploy.signingKeys.keys', 'must be a non-empty array of key names');
  if (keys.length > 3) problem('deploy.signingKeys.keys', 'must hold at most 3 keys (previous, active, next)');
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || !/^[A-Za-z0-9-]{1,32}$/.test(k)) problem(`deploy.signingKeys.keys[${i}]`, 'must be 1-32 letters, digits or dashes');
  });
  if (new Set(keys).size !== keys.length) problem('deploy.signingKeys.keys', 'must not repeat a name');
  const active = o.active;
  if (typeof active !== 'string' || !keys.includes(active)) problem('deploy.signingKeys.active', 'must be one of deploy.signingKeys.keys');
  return { keys: keys as string[], active: active as string };
}

function parseCustomDomain(input: unknown, path: string, problem: (path: string, message: string) => void): CustomDomainDeployConfig | undefined {
  if (input === undefined) return undefined;
  const o = input as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) {
    problem(path, 'must be an object');
    return undefined;
  }
  if (typeof o.domainName !== 'string' || !/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/.test(o.domainName)) problem(`${path}.domainName`, 'must be a lower-case DNS name');
  if (typeof o.certificateArn !== 'string' || !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(o.certificateArn)) problem(`${path}.certificateArn`, 'must be an ACM certificate ARN');
  if ((o.hostedZoneId === undefined) !== (o.hostedZoneName === undefined)) problem(`${path}.hostedZoneId`, 'and hostedZoneName go together');
  return {
    domainName: o.domainName as string,
    certificateArn: o.certificateArn as string,
    hostedZoneId: o.hostedZoneId as string | undefined,
    hostedZoneName: o.hostedZoneName as string | undefined,
  };
}

/** Reads the product configuration file named by context `configFile`, relative to the project root. */
export function readProductConfigFile(configFile: string, projectRoot: string): unknown {
  const path = isAbsolute(configFile) ? configFile : resolve(projectRoot, configFile);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DeploymentConfigError([`configFile: cannot read ${configFile} as JSON (${(error as Error).message})`]);
  }
}
