import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { KEY_ATTRIBUTE_TYPE, TABLE_DEFINITIONS, TABLE_KEYS, type GlobalSecondaryIndexDefinition, type TableKey } from '../../lambda/adapters/dynamodb/tables';

export interface OAuthTablesProps {
  /**
   * RETAIN tables and turn deletion protection on; what production needs.
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * Point-in-time recovery (35 days).
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
}

/**
 * The five tables of the authorization server, declared from the same TABLE_DEFINITIONS that
 * local mode creates its tables from, so the shapes cannot drift apart. On-demand billing,
 * TTL on expiresAt (garbage collection only: the code checks expiry on every read),
 * encryption at rest with the AWS managed key (aws/dynamodb) so key use shows up in the
 * account's CloudTrail, and the subject and client indexes that revoke-by-user and
 * revoke-by-client query.
 */
export class OAuthTables extends Construct {
  readonly tables: Readonly<Record<TableKey, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: OAuthTablesProps = {}) {
    super(scope, id);
    const retain = props.retainData ?? true;
    const tables = {} as Record<TableKey, dynamodb.Table>;
    for (const key of TABLE_KEYS) {
      const definition = TABLE_DEFINITIONS[key];
      const attributeType = KEY_ATTRIBUTE_TYPE === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.BINARY;
      const table = new dynamodb.Table(this, pascal(key), {
        partitionKey: { name: definition.partitionKey, type: attributeType },
        sortKey: definition.sortKey ? { name: definition.sortKey, type: attributeType } : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: definition.ttlAttribute,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: retain,
        removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const index of definition.globalSecondaryIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey, type: attributeType },
          sortKey: index.sortKey ? { name: index.sortKey, type: attributeType } : undefined,
          projectionType: PROJECTION_TYPES[index.projection],
        });
      }
      tables[key] = table;
    }
    this.tables = tables;
  }

  /** The JSON the handlers read from MCP_OAUTH_TABLES. */
  environmentValue(scope: Construct): string {
    const names: Record<string, string> = {};
    for (const key of TABLE_KEYS) names[key] = this.tables[key].tableName;
    return Stack.of(scope).toJsonString(names);
  }
}

/** The definition's projection as CDK names it; a new kind in the definition fails to compile here. */
const PROJECTION_TYPES: Readonly<Record<GlobalSecondaryIndexDefinition['projection'], dynamodb.ProjectionType>> = {
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
};

function pascal(key: string): string {
  return `${key[0]?.toUpperCase() ?? ''}${key.slice(1)}Table`;
}
