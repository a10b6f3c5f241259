import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * The account's API Gateway CloudWatch Logs role, in a stack of its own. It is one setting
 * per account and region ("Set up CloudWatch API logging using the API Gateway console":
 * the role ARN is an account setting), and a stage with execution logging fails to deploy
 * where none is set. Owned by the authorization server stack, deleting that stack would
 * delete the role and break execution logging for every REST API in the region; here it is
 * shared by every stage of this product and RETAINed, role and setting, when the stack goes.
 */
export class ApiGatewayAccountStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway pushes execution logs of every REST API in this account and region to CloudWatch Logs',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    account.node.addDependency(this.role);
  }
}
