/**
 * What the CDK app needs beyond the product configuration (lambda/core/config.ts): where and
 * how to deploy, as one zod schema. The product configuration file is the same one local mode
 * reads; its `issuer` must be the final public URL (a custom domain, or the URL clients reach
 * without one: the CloudFront distribution's, or the stage's with `edge` off), because every
 * token carries it and verifiers compare it as an exact string.
 *
 * Sources, later wins: the defaults below, the `deploy` object in cdk.json context, the file
 * named by context `deployFile`, and `-c deploy='{"...": ...}'` on the command line
 * (lib/app-inputs.ts). `stage`, `account`, `region` and `configFile` are plain context
 * values. Every problem is reported at once, named by its dotted path.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../lambda/core/config';
import { inlineBrandingFiles } from '../lambda/adapters/config/branding-files';
import { parseConfig } from '../lambda/adapters/config/parse-config';
import { DEFAULT_RATE_LIMITS, DEFAULT_STAGE_THROTTLING, MIN_RATE_LIMIT, RATE_WINDOWS_SECONDS, type RateLimits, type StageThrottling } from './definitions/rate-rules';

/** Retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const DNS_NAME = /^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** Cognito's rule for a domain prefix ("Using the Amazon Cognito domain for managed login"): lower case, digits, dashes, no reserved words. */
const COGNITO_PREFIX = /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const bool = () => z.boolean({ error: 'must be true or false' });
const wholeNumber = (min: number, why = '') => z.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}${why}`);

const customDomainSchema = z
  .strictObject({
    /** e.g. auth.example.com; the issuer (or resource URI) must then be on it. */
    domainName: z.string({ error: 'must be a lower-case DNS name' }).regex(DNS_NAME, 'must be a lower-case DNS name'),
    /** An ACM certificate covering domainName: in us-east-1 when the API has its CloudFront edge, else in the stack's region. */
    certificateArn: z.string({ error: 'must be an ACM certificate ARN' }).regex(ACM_CERTIFICATE_ARN, 'must be an ACM certificate ARN'),
    /** When given with hostedZoneName, an alias A record is created in this Route 53 zone. */
    hostedZoneId: z.string().min(1).optional(),
    hostedZoneName: z.string().min(1).optional(),
  })
  .refine((d) => (d.hostedZoneId === undefined) === (d.hostedZoneName === undefined), { message: 'and hostedZoneName go together', path: ['hostedZoneId'] });

const keyName = z.string({ error: 'must be 1-32 letters, digits or dashes' }).regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or dashes');

const signingKeysSchema = z
  .strictObject({
    /** Every key, by a short stable name; each becomes a KMS key with an alias, and all are published in the JWKS. */
    keys: z.array(keyName, { error: 'must be a non-empty array of key names' }).min(1, 'must be a non-empty array of key names').max(3, 'must hold at most 3 keys (previous, active, next)'),
    /** The key that signs now; one of `keys`. */
    active: z.string({ error: 'must be one of deploy.signingKeys.keys' }),
    /** Keys that stay published but may no longer sign (their key policy loses Sign). @default [] */
    retired: z.array(z.string()).default([]),
  })
  .superRefine((k, ctx) => {
    if (new Set(k.keys).size !== k.keys.length) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'must not repeat a name' });
    if (!k.keys.includes(k.active)) ctx.addIssue({ code: 'custom', path: ['active'], message: 'must be one of deploy.signingKeys.keys' });
    k.retired.forEach((name, i) => {
      if (!k.keys.includes(name)) ctx.addIssue({ code: 'custom', path: ['retired', i], message: 'must be one of deploy.signingKeys.keys' });
      if (name === k.active) ctx.addIssue({ code: 'custom', path: ['retired', i], message: 'must not be the active key' });
    });
  });

const rateLimit = (what: string) => wholeNumber(MIN_RATE_LIMIT, ' (the WAF minimum)').describe(what);
const rateLimitsSchema = z.strictObject({
  windowSeconds: z.union(RATE_WINDOWS_SECONDS.map((s) => z.literal(s)), { error: `must be one of ${RATE_WINDOWS_SECONDS.join(', ')}` }).default(DEFAULT_RATE_LIMITS.windowSeconds),
  authorize: rateLimit('/authorize').default(DEFAULT_RATE_LIMITS.authorize),
  token: rateLimit('/token').default(DEFAULT_RATE_LIMITS.token),
  register: rateLimit('/register').default(DEFAULT_RATE_LIMITS.register),
  revoke: rateLimit('/revoke').default(DEFAULT_RATE_LIMITS.revoke),
  introspect: rateLimit('/introspect').default(DEFAULT_RATE_LIMITS.introspect),
  authorizationServerAllPaths: rateLimit('every path of the authorization server').default(DEFAULT_RATE_LIMITS.authorizationServerAllPaths),
  mcp: rateLimit('the MCP endpoint').default(DEFAULT_RATE_LIMITS.mcp),
  mcpAllPaths: rateLimit('every path of an MCP server API').default(DEFAULT_RATE_LIMITS.mcpAllPaths),
});

const throttlingSchema = (defaults: StageThrottling) =>
  z.strictObject({ ratePerSecond: wholeNumber(1).default(defaults.ratePerSecond), burst: wholeNumber(1).default(defaults.burst) });

const deploySchema = z.strictObject({
  /** RETAIN tables, keys, user pool and log groups; deletion protection on. @default true for stage `prod` */
  retainData: bool().optional(),
  signingKeys: signingKeysSchema.default({ keys: ['primary'], active: 'primary', retired: [] }),
  customDomain: customDomainSchema.optional(),
  /** CloudFront in front of the authorization server API (ChallengeRestoringEdge). @default true */
  edge: bool().default(true),
  /**
   * Without a custom domain an edge serves https://<id>.cloudfront.net with CloudFront's own
   * certificate, on which CloudFront lets viewers negotiate TLS 1.0 ("Supported protocols
   * and ciphers between viewers and CloudFront"). Set true to accept that posture
   * knowingly; otherwise synth refuses an edge without a custom domain. @default false
   */
  acceptCloudFrontDefaultCertificate: bool().default(false),
  /**
   * `cognito`: a new user pool. `cognito-existing`: the pool of deploy.cognitoUserPool.
   * `external`: the OIDC IdP of productConfig.upstream. @default external when
   * productConfig.upstream.clientSecretArn is set, else cognito
   */
  upstreamLogin: z.enum(['cognito', 'cognito-existing', 'external'], { error: 'must be "cognito", "cognito-existing" or "external"' }).optional(),
  /** The Cognito user pool you already run (upstreamLogin `cognito-existing`). */
  cognitoUserPool: z
    .strictObject({
      userPoolId: z.string({ error: 'must be a user pool id' }).regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a user pool id such as eu-west-1_AbCdEf123'),
      /** An app client you made for the authorization server. @default one is created in the pool (public, PKCE) */
      appClientId: z.string().min(1).optional(),
      /** Its secret in Secrets Manager, when it has one. */
      appClientSecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager ARN').optional(),
    })
    .refine((p) => p.appClientSecretArn === undefined || p.appClientId !== undefined, { message: 'needs the appClientId it belongs to', path: ['appClientSecretArn'] })
    .optional(),
  /** Prefix of the Cognito managed login domain. @default mcp-oauth-<stage>-<8 characters of the stack id>, unique per stack */
  cognitoDomainPrefix: z.string({ error: 'must be a string' }).regex(COGNITO_PREFIX, 'must be lower-case letters, digits and dashes, and must not contain aws, amazon or cognito').optional(),
  /** The customer-managed KMS key that encrypts the external IdP's client secret in Secrets Manager, if any. */
  upstreamClientSecretKmsKeyArn: z.string({ error: 'must be a KMS key ARN' }).regex(KMS_KEY_ARN, 'must be a KMS key ARN').optional(),
  rateLimits: rateLimitsSchema.default(DEFAULT_RATE_LIMITS),
  stageThrottling: z
    .strictObject({
      authorizationServer: throttlingSchema(DEFAULT_STAGE_THROTTLING.authorizationServer).default(DEFAULT_STAGE_THROTTLING.authorizationServer),
      protectedApi: throttlingSchema(DEFAULT_STAGE_THROTTLING.protectedApi).default(DEFAULT_STAGE_THROTTLING.protectedApi),
    })
    .default(DEFAULT_STAGE_THROTTLING),
  /** Each address is subscribed to the alarm topic (SNS asks it to confirm). @default none */
  alarmEmails: z.array(z.email('must be an email address'), { error: 'must be an array of email addresses' }).default([]),
  /** @default 365 for stage prod, else 30 */
  logRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d)), { error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}` }).optional(),
  /**
   * `stack`: the account's API Gateway CloudWatch Logs role is created in its own small
   * stack, McpOAuth-ApiGatewayAccount, retained when deleted. `account`: the account already
   * has one ("Set up CloudWatch API logging using the API Gateway console"), and nothing is
   * created. Either way, stages log their execution errors. @default stack
   */
  apiGatewayCloudWatchRole: z.enum(['stack', 'account'], { error: 'must be "stack" or "account"' }).default('stack'),
  /**
   * The only principals that may change the signing keys' policy or schedule their
   * deletion. @default the CDK bootstrap's CloudFormation execution role of the account and region
   */
  keyAdministrators: z
    .strictObject({
      deployRoleArn: z.string({ error: 'must be an IAM role ARN' }).regex(IAM_ROLE_ARN, 'must be an IAM role ARN').optional(),
      breakGlassRoleArn: z.string({ error: 'must be an IAM role ARN' }).regex(IAM_ROLE_ARN, 'must be an IAM role ARN').optional(),
    })
    .default({}),
  /**
   * The edges' origin secret. Raising `generation` creates a new secret that the edge sends
   * while the web ACL accepts the new and the previous one; once CloudFront has propagated
   * the change, set `acceptPrevious` to false and deploy again (docs/operations.md).
   * @default generation 1; acceptPrevious true when generation > 1
   */
  originVerify: z
    .strictObject({ generation: wholeNumber(1).default(1), acceptPrevious: bool().optional() })
    .default({ generation: 1 }),
  demo: z
    .strictObject({
      /** Deploy the demo MCP server stack behind McpProtectedApi. @default true */
      enabled: bool().default(true),
      /** The resource of the product configuration that the demo serves. @default productConfig.defaultResource */
      resourceUri: z.string().optional(),
      customDomain: customDomainSchema.optional(),
      /** CloudFront in front of the demo API. @default true */
      edge: bool().default(true),
    })
    .default({ enabled: true, edge: true }),
  /**
   * Per MCP server with its own backend (productConfig.resources[].backend), by its resource
   * URI: the edge and custom domain of its API, as deploy.demo has them for the demo. @default edge on, no custom domain
   */
  mcpServers: z
    .record(z.string(), z.strictObject({ customDomain: customDomainSchema.optional(), edge: bool().default(true) }), { error: 'must be an object keyed by resource URI' })
    .default({}),
});

type DeployInput = z.infer<typeof deploySchema>;
export type CustomDomainDeployConfig = z.infer<typeof customDomainSchema>;
export type SigningKeysDeployConfig = z.infer<typeof signingKeysSchema>;
export type RateLimitsDeployConfig = RateLimits;

export interface DeploymentConfig extends Omit<DeployInput, 'retainData' | 'upstreamLogin' | 'cognitoDomainPrefix' | 'logRetentionDays' | 'originVerify'> {
  readonly stage: string;
  readonly account?: string;
  readonly region?: string;
  /** The validated product configuration; its `local` section is dropped. */
  readonly product: Config;
  readonly retainData: boolean;
  readonly upstreamLogin: 'cognito' | 'cognito-existing' | 'external';
  /** Undefined: derived from the stack id at deploy time (UpstreamLogin). */
  readonly cognitoDomainPrefix?: string;
  readonly logRetentionDays: number;
  readonly originVerify: { readonly generation: number; readonly acceptPrevious: boolean };
}

/** All known top-level options of `deploy`, for the error that names an unknown one. */
export const DEPLOY_OPTIONS = Object.keys(deploySchema.shape);

/** CloudFront serves a custom domain only with an ACM certificate from us-east-1. */
export function isEdgeCertificate(certificateArn: string): boolean {
  return /^arn:aws[a-z-]*:acm:us-east-1:/.test(certificateArn);
}

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

/** Stands in for the upstream section until the Cognito user pool exists; never deployed as is. */
const COGNITO_PLACEHOLDER_UPSTREAM = { issuer: 'https://cognito-idp.invalid/created-by-the-stack', clientId: 'created-by-the-stack', groupsClaim: 'cognito:groups' };

/** True when a product configuration leaves `upstream` out, for the stack to fill in (Cognito). */
function upstreamOmitted(input: unknown): boolean {
  return typeof input === 'object' && input !== null && (input as Record<string, unknown>).upstream === undefined;
}

/**
 * The product configuration as a deployment reads it: parseConfig, except that `upstream`
 * may be left out when Cognito (a new pool or an existing one) is the upstream login, whose
 * values McpAuthorizationServer fills in at deploy time. Throws ConfigError.
 */
export function parseProductConfig(input: unknown): Config {
  return parseConfig(upstreamOmitted(input) ? { ...(input as Record<string, unknown>), upstream: COGNITO_PLACEHOLDER_UPSTREAM } : input);
}

const contextSchema = z.object({
  stage: z.string({ error: 'must be a string' }).regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be 1-20 lower-case letters, digits or dashes, starting with a letter').default('dev'),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1').optional(),
});

/** `a.b[0].c` from a zod issue path. */
function dotted(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), prefix);
}

function problemsOf(error: z.ZodError, prefix: string, known: (path: readonly PropertyKey[]) => readonly string[]): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${dotted(prefix, [...issue.path, key])}: is not a known option (known: ${known(issue.path).join(', ')})`);
    }
    return [`${dotted(prefix, issue.path)}: ${issue.message}`];
  });
}

/** The keys an object schema of `deploySchema` knows at `path`, for the unknown-option message. */
function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  let schema: z.ZodType = deploySchema;
  for (const key of path) {
    while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodPipe) {
      schema = (schema instanceof z.ZodPipe ? schema.in : schema.unwrap()) as z.ZodType;
    }
    if (!(schema instanceof z.ZodObject)) return [];
    schema = schema.shape[String(key)] as z.ZodType;
  }
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodPipe) {
    schema = (schema instanceof z.ZodPipe ? schema.in : schema.unwrap()) as z.ZodType;
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** Validates everything at once and lists every problem, like parseConfig does. */
export function parseDeploymentConfig(inputs: DeploymentInputs): DeploymentConfig {
  const problems: string[] = [];

  const context = contextSchema.safeParse({
    stage: inputs.stage,
    account: inputs.account === '' ? undefined : inputs.account,
    region: inputs.region === '' ? undefined : inputs.region,
  });
  if (!context.success) problems.push(...problemsOf(context.error, '', () => []));

  let deployInput: unknown = inputs.deploy ?? {};
  if (typeof deployInput === 'string') {
    try {
      deployInput = JSON.parse(deployInput);
    } catch {
      problems.push('deploy: must be a JSON object');
      deployInput = {};
    }
  }
  const deploy = deploySchema.safeParse(deployInput);
  if (!deploy.success) problems.push(...problemsOf(deploy.error, 'deploy', knownKeysAt));

  const withoutUpstream = upstreamOmitted(inputs.productConfig);
  let product: Config | undefined;
  try {
    // With Cognito the stack fills in the upstream section, so a configuration may leave it out.
    product = parseProductConfig(inputs.productConfig);
  } catch (error) {
    const nested = (error as { problems?: readonly string[] }).problems;
    if (!nested) throw error;
    problems.push(...nested.map((p) => `productConfig.${p}`));
  }

  if (!context.success || !deploy.success || !product) throw new DeploymentConfigError(problems);
  const { stage, account, region } = context.data;
  const d = deploy.data;
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);

  // A secret inline in the configuration would travel in every function's bundle and in cdk.out.
  if (product.upstream.clientSecret !== undefined) {
    problem('productConfig.upstream.clientSecret', 'must not be in a deployed configuration (it would be bundled into every function); store it in Secrets Manager and set upstream.clientSecretArn');
  }
  const upstreamLogin = d.upstreamLogin ?? (product.upstream.clientSecretArn ? 'external' : 'cognito');
  if (upstreamLogin === 'external') {
    if (withoutUpstream) problem('productConfig.upstream', 'is required for an external IdP');
    else {
      if (!product.upstream.issuer.startsWith('https://')) problem('productConfig.upstream.issuer', 'must be https for an external IdP in AWS');
      if (!product.upstream.clientSecretArn) problem('productConfig.upstream.clientSecretArn', 'is required for an external IdP (its client secret, in Secrets Manager)');
    }
  } else if (d.upstreamClientSecretKmsKeyArn) {
    problem('deploy.upstreamClientSecretKmsKeyArn', 'applies only to an external IdP (deploy.upstreamLogin "external")');
  }
  if (upstreamLogin === 'cognito-existing' && !d.cognitoUserPool) problem('deploy.cognitoUserPool', 'is required while deploy.upstreamLogin is "cognito-existing" (the pool to use)');
  if (upstreamLogin !== 'cognito-existing' && d.cognitoUserPool) problem('deploy.cognitoUserPool', 'applies only while deploy.upstreamLogin is "cognito-existing"');

  const edges: { path: string; on: boolean; domain?: CustomDomainDeployConfig; url: string; urlPath: string; enabled: boolean }[] = [
    { path: 'deploy', on: d.edge, domain: d.customDomain, url: product.issuer, urlPath: 'productConfig.issuer', enabled: true },
    { path: 'deploy.demo', on: d.demo.edge, domain: d.demo.customDomain, url: d.demo.resourceUri ?? product.defaultResource, urlPath: 'deploy.demo.resourceUri', enabled: d.demo.enabled },
  ];
  for (const edge of edges) {
    if (!edge.enabled) continue;
    if (edge.on && edge.domain && !isEdgeCertificate(edge.domain.certificateArn)) {
      problem(`${edge.path}.customDomain.certificateArn`, `must be in us-east-1 while ${edge.path}.edge is on (CloudFront takes its certificates from there)`);
    }
    if (edge.on && !edge.domain && !d.acceptCloudFrontDefaultCertificate) {
      problem(`${edge.path}.customDomain`, `is required while ${edge.path}.edge is on, unless deploy.acceptCloudFrontDefaultCertificate is true: on its *.cloudfront.net certificate CloudFront accepts TLS 1.0 (docs/deploy.md, "Without a custom domain")`);
    }
    if (edge.on && isStageUrl(edge.url)) {
      problem(edge.urlPath, `is an API Gateway stage URL, which answers only through the edge while ${edge.path}.edge is on: use the edge URL or a custom domain`);
    }
    if (edge.domain && hostOf(edge.url) !== edge.domain.domainName) {
      problem(edge.urlPath, `must be on ${edge.path}.customDomain.domainName (${edge.domain.domainName})`);
    }
  }
  product.resources.forEach((resource, i) => {
    if (resource.serverClient?.clientSecret !== undefined) problem(`productConfig.resources[${i}].serverClient.clientSecret`, 'must not be in a deployed configuration (it would be bundled into every function); store it in Secrets Manager and set serverClient.clientSecretArn');
    const backend = resource.backend;
    if (!backend) return;
    const servers = d.mcpServers[resource.uri] ?? { edge: true };
    edges.push({ path: `deploy.mcpServers["${resource.uri}"]`, on: servers.edge, domain: servers.customDomain, url: resource.uri, urlPath: `productConfig.resources[${i}].uri`, enabled: true });
    if ('httpUrl' in backend) {
      if (!backend.httpUrl.startsWith('https://')) problem(`productConfig.resources[${i}].backend.httpUrl`, 'must be https in AWS (http is for a loopback server in local mode)');
      if (backend.sharedSecret?.value !== undefined) problem(`productConfig.resources[${i}].backend.sharedSecret.value`, 'must not be in a deployed configuration (it would be bundled into every function); store it in Secrets Manager and set backend.sharedSecret.secretArn');
    }
    if (d.demo.enabled && d.demo.resourceUri === resource.uri) problem('deploy.demo.resourceUri', `names ${resource.uri}, which has its own backend: the demo serves a resource without one`);
  });
  for (const uri of Object.keys(d.mcpServers)) {
    if (!product.resources.some((r) => r.uri === uri && r.backend)) problem(`deploy.mcpServers["${uri}"]`, 'must be the uri of one of productConfig.resources that has a backend');
  }
  for (const edge of edges.slice(2)) {
    if (edge.on && edge.domain && !isEdgeCertificate(edge.domain.certificateArn)) problem(`${edge.path}.customDomain.certificateArn`, `must be in us-east-1 while ${edge.path}.edge is on (CloudFront takes its certificates from there)`);
    if (edge.on && !edge.domain && !d.acceptCloudFrontDefaultCertificate) problem(`${edge.path}.customDomain`, `is required while ${edge.path}.edge is on, unless deploy.acceptCloudFrontDefaultCertificate is true (docs/deploy.md, "Without a custom domain")`);
    if (edge.domain && hostOf(edge.url) !== edge.domain.domainName) problem(edge.urlPath, `must be on ${edge.path}.customDomain.domainName (${edge.domain.domainName})`);
  }
  if ((d.edge || (d.demo.enabled && d.demo.edge) || edges.slice(2).some((e) => e.on)) && !region) {
    problem('region', 'is required while an edge is on: its Lambda@Edge function lives in us-east-1 and CDK must know the stack\'s region to place it (-c region=... or a default region in your AWS profile)');
  }
  if (d.demo.resourceUri !== undefined && !product.resources.some((r) => r.uri === d.demo.resourceUri)) problem('deploy.demo.resourceUri', 'must be the uri of one of productConfig.resources');

  if (problems.length) throw new DeploymentConfigError(problems);
  return {
    ...d,
    stage,
    account,
    region,
    product,
    retainData: d.retainData ?? stage === 'prod',
    upstreamLogin,
    cognitoDomainPrefix: d.cognitoDomainPrefix,
    logRetentionDays: d.logRetentionDays ?? (stage === 'prod' ? 365 : 30),
    originVerify: { generation: d.originVerify.generation, acceptPrevious: d.originVerify.acceptPrevious ?? d.originVerify.generation > 1 },
    demo: { ...d.demo, resourceUri: d.demo.resourceUri ?? product.defaultResource },
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** An execute-api stage URL: behind the edge its web ACL refuses every request that did not come through CloudFront. */
function isStageUrl(url: string): boolean {
  return /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(hostOf(url) ?? '');
}

function projectPath(file: string, projectRoot: string): string {
  return isAbsolute(file) ? file : resolve(projectRoot, file);
}

/** Reads a JSON file named by a context value (`configFile`, `deployFile`), relative to the project root. */
export function readJsonFile(contextKey: string, file: string, projectRoot: string): unknown {
  const path = projectPath(file, projectRoot);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DeploymentConfigError([`${contextKey}: cannot read ${file} as JSON (${(error as Error).message})`]);
  }
}

/**
 * Reads the product configuration file named by context `configFile`, relative to the project
 * root, with the files it names (branding.logoSvgFile, relative to its folder) read in: the
 * functions get the validated configuration, markup included, in their bundle.
 */
export function readProductConfigFile(configFile: string, projectRoot: string): unknown {
  const raw = readJsonFile('configFile', configFile, projectRoot);
  try {
    return inlineBrandingFiles(raw, dirname(projectPath(configFile, projectRoot)));
  } catch (error) {
    throw new DeploymentConfigError([`configFile: ${(error as Error).message}`]);
  }
}
