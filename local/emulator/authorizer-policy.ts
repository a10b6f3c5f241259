/**
 * What API Gateway does with a Lambda authorizer's answer: validate its shape, then evaluate
 * the IAM policy against the method ARN of THIS request. A cached policy is re-evaluated for
 * every route it is reused on, which is why an authorizer that allows only the exact method
 * ARN it was called for breaks the next route when caching is on.
 */
import { arnPatternMatches } from '../../lambda/adapters/apigw/authorizer-policy';

export type PolicyDecision = 'allow' | 'explicit_deny' | 'implicit_deny';

export interface AuthorizerAnswer {
  readonly principalId: string;
  readonly statements: readonly PolicyStatement[];
  /** Context values as API Gateway hands them to a proxy integration: strings. */
  readonly context: Readonly<Record<string, string>>;
}

interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '123456789012';

export function methodArn(apiId: string, stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${apiId}/${stage}/${method}/${path.replace(/^\//, '')}`;
}

/** The answer's shape as API Gateway accepts it, or undefined when API Gateway would report AuthorizerConfigurationException. */
export function parseAuthorizerAnswer(result: unknown): AuthorizerAnswer | undefined {
  if (!isObject(result)) return undefined;
  if (typeof result.principalId !== 'string' || result.principalId === '') return undefined;
  const policy = result.policyDocument;
  if (!isObject(policy)) return undefined;
  const rawStatements = Array.isArray(policy.Statement) ? policy.Statement : isObject(policy.Statement) ? [policy.Statement] : undefined;
  if (!rawStatements || rawStatements.length === 0) return undefined;
  const statements: PolicyStatement[] = [];
  for (const raw of rawStatements) {
    if (!isObject(raw)) return undefined;
    if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') return undefined;
    const actions = stringList(raw.Action);
    const resources = stringList(raw.Resource);
    if (!actions || !resources) return undefined;
    statements.push({ effect: raw.Effect, actions, resources });
  }
  const context: Record<string, string> = {};
  if (result.context !== undefined && result.context !== null) {
    if (!isObject(result.context)) return undefined;
    for (const [key, value] of Object.entries(result.context)) {
      // Objects and arrays in the context are a configuration error on AWS, not a silent drop.
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') context[key] = String(value);
      else if (value !== null) return undefined;
    }
  }
  return { principalId: result.principalId, statements, context };
}

/** IAM evaluation: any matching Deny wins, then any matching Allow, otherwise implicit deny. */
export function evaluatePolicy(answer: AuthorizerAnswer, arn: string): PolicyDecision {
  const applies = (s: PolicyStatement) => s.actions.some(actionMatches) && s.resources.some((r) => arnPatternMatches(r, arn));
  if (answer.statements.some((s) => s.effect === 'Deny' && applies(s))) return 'explicit_deny';
  if (answer.statements.some((s) => s.effect === 'Allow' && applies(s))) return 'allow';
  return 'implicit_deny';
}

function actionMatches(action: string): boolean {
  return ['*', 'execute-api:*', 'execute-api:invoke'].includes(action.toLowerCase());
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string' && value) return [value];
  if (Array.isArray(value) && value.length && value.every((v) => typeof v === 'string' && v)) return value as string[];
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
