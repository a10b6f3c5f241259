import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS_NAMESPACE } from '../../lambda/adapters/observability/metric-names';
import { BUNDLED_CONFIG_FILE_NAME } from './bundled-config';
import { PROJECT_ROOT } from './handler-entries';

export interface OAuthFunctionProps {
  /** Absolute path of the handler entry (lambda/handlers/...). */
  readonly entry: string;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of the function's metrics. */
  readonly serviceName: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * A JSON file (writeBundledConfig) copied into the bundle as mcp-oauth.config.json, which
   * MCP_OAUTH_CONFIG_FILE then names. @default no configuration file
   */
  readonly configFile?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY for the log group (logs are not the system of record) */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * One Lambda function of the product, the same way every time: Node.js on arm64, bundled
 * and minified by the local esbuild (no Docker), the AWS SDK left to the runtime, X-Ray
 * tracing, structured JSON logs into a log group with a retention, and the Powertools
 * settings the handlers' metrics and logger read.
 */
export class OAuthFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OAuthFunctionProps) {
    super(scope, id);
    if (!existsSync(props.entry)) throw new Error(`OAuthFunction ${id}: handler entry ${props.entry} does not exist`);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...(props.configFile ? { MCP_OAUTH_CONFIG_FILE: BUNDLED_CONFIG_FILE_NAME } : {}),
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        externalModules: ['@aws-sdk/*'],
        commandHooks: props.configFile ? copyIntoBundle(props.configFile, BUNDLED_CONFIG_FILE_NAME) : undefined,
      },
    });
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
