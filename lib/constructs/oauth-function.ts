import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSynthValidatedConfig } from '../../lambda/adapters/config/synth-validated-config';
import { METRICS_NAMESPACE } from '../../lambda/adapters/observability/metric-names';
import { FUNCTION_BUNDLING } from '../definitions/bundling';
import type { FunctionSettings } from '../definitions/function-settings';
import { BUNDLED_CONFIG_FILE_NAME } from './bundled-config';
import { BUNDLE_FILE, prebuiltBundleOf, PROJECT_ROOT } from './handler-entries';

export interface OAuthFunctionProps {
  /**
   * Absolute path of the handler entry (lambda/handlers/...). When it is one of
   * HANDLER_ENTRIES and the package ships its prebuilt bundle, that bundle is deployed;
   * otherwise the entry is bundled at synth by the local esbuild.
   */
  readonly entry: string;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of the function's metrics. */
  readonly serviceName: string;
  readonly description: string;
  /** Timeout and memory (FUNCTION_SETTINGS). */
  readonly settings: FunctionSettings;
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The file writeBundledConfig wrote (the configuration validated at synth), copied into the
   * bundle as mcp-oauth.config.json, which MCP_OAUTH_CONFIG_FILE then names; any other file
   * fails synth, as the authorizer would refuse it at init. @default no configuration file
   */
  readonly configFile?: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY for the log group */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * One Lambda function of the product, the same way every time: Node.js on arm64, bundled
 * and minified by esbuild (in advance when installed from the package, else by the local
 * esbuild at synth; never Docker), the AWS SDK left to the runtime, X-Ray
 * tracing, structured JSON logs into its own log group with a retention, and the
 * Powertools settings the handlers' metrics and logger read.
 *
 * Its role starts empty but for writing to that one log group (not the managed
 * AWSLambdaBasicExecutionRole, which may write to every log group of the account); what
 * else it may do is granted by whoever builds it, from FunctionPermissions.
 */
export class OAuthFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OAuthFunctionProps) {
    super(scope, id);
    const prebuilt = prebuiltBundleOf(props.entry);
    if (!prebuilt && !existsSync(props.entry)) throw new Error(`OAuthFunction ${id}: handler entry ${props.entry} does not exist`);
    if (props.configFile) assertSynthValidated(id, props.configFile);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description.slice(0, 900)} (execution role)`,
    });
    // Lambda creates the log stream and writes events; the group exists already, so no CreateLogGroup.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // The group's Arn attribute ends in `:*`, which covers its log streams.
      resources: [this.logGroup.logGroupArn],
    }));
    const common = {
      description: props.description,
      role: this.role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.settings.memoryMb,
      timeout: Duration.seconds(props.settings.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...(props.configFile ? { MCP_OAUTH_CONFIG_FILE: BUNDLED_CONFIG_FILE_NAME } : {}),
        ...props.environment,
      },
    };
    this.function = prebuilt
      ? new lambda.Function(this, 'Function', { ...common, handler: 'index.handler', code: lambda.Code.fromAsset(stagePrebuiltBundle(prebuilt, props.configFile)) })
      : new NodejsFunction(this, 'Function', {
          ...common,
          entry: props.entry,
          handler: 'handler',
          projectRoot: PROJECT_ROOT,
          depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
          bundling: {
            forceDockerBundling: false,
            minify: FUNCTION_BUNDLING.minify,
            sourceMap: true,
            sourcesContent: false,
            target: FUNCTION_BUNDLING.target,
            format: OutputFormat.CJS,
            externalModules: [...FUNCTION_BUNDLING.external],
            commandHooks: props.configFile ? copyIntoBundle(props.configFile, BUNDLED_CONFIG_FILE_NAME) : undefined,
          },
        });
  }
}

/**
 * The asset folder of a prebuilt bundle: its files and the configuration file beside them,
 * in a folder named by their content, so repeated syntheses reuse it and the asset hash
 * changes only with the code or the configuration.
 */
function stagePrebuiltBundle(bundleDir: string, configFile: string | undefined): string {
  const files = readdirSync(bundleDir).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(join(bundleDir, file)));
  if (configFile) hash.update(BUNDLED_CONFIG_FILE_NAME).update(readFileSync(configFile));
  const staged = join(tmpdir(), 'mcp-oauth-prebuilt-assets', hash.digest('hex').slice(0, 24));
  if (!existsSync(join(staged, BUNDLE_FILE))) {
    mkdirSync(staged, { recursive: true });
    for (const file of files) copyFileSync(join(bundleDir, file), join(staged, file));
    if (configFile) copyFileSync(configFile, join(staged, BUNDLED_CONFIG_FILE_NAME));
  }
  return staged;
}

/** The authorizer reads its configuration file without validating it: synth, not its init, says when the file is not what writeBundledConfig writes. */
function assertSynthValidated(id: string, configFile: string): void {
  try {
    readSynthValidatedConfig(JSON.parse(readFileSync(configFile, 'utf8')));
  } catch (error) {
    throw new Error(`OAuthFunction ${id}: configFile ${configFile} ${(error as Error).message} (write it with writeBundledConfig)`, { cause: error });
  }
}

/** Bundling hooks that copy one file into the output directory; node does the copy, so no shell utility or Docker is needed. */
function copyIntoBundle(source: string, name: string): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [
      `node -e "require('fs').copyFileSync(process.argv[1], process.argv[2])" ${JSON.stringify(source)} ${JSON.stringify(join(outputDir, name))}`,
    ],
  };
}
