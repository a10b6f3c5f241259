/**
 * The CDK context as bin/app.ts reads it, in one place so the tests read it the same way:
 * `stage`, `account`, `region`, `configFile` (the product configuration), `deployFile` (a
 * JSON file of deployment settings) and `deploy` (deployment settings inline; cdk.json's, or
 * `-c deploy='{...}'`). The file's settings override the inline ones, key by key.
 */
import { parseDeploymentConfig, readJsonFile, readProductConfigFile, type DeploymentConfig, DeploymentConfigError } from './config';

/** The product configuration used when context `configFile` is not given. */
export const DEFAULT_CONFIG_FILE = 'config/aws.example.json';

export function deploymentFromContext(context: (key: string) => unknown, projectRoot: string, env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const configFile = String(context('configFile') ?? DEFAULT_CONFIG_FILE);
  const inline = parseInline(context('deploy'));
  const deployFile = context('deployFile');
  const fromFile = deployFile === undefined ? {} : readJsonFile('deployFile', String(deployFile), projectRoot);
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new DeploymentConfigError([`deployFile: ${String(deployFile)} must hold a JSON object`]);
  return parseDeploymentConfig({
    stage: context('stage'),
    account: context('account') ?? env.CDK_DEFAULT_ACCOUNT,
    region: context('region') ?? env.CDK_DEFAULT_REGION,
    productConfig: readProductConfigFile(configFile, projectRoot),
    deploy: { ...inline, ...fromFile },
  });
}

function parseInline(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DeploymentConfigError(['deploy: must be a JSON object']);
  return parsed as Record<string, unknown>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
