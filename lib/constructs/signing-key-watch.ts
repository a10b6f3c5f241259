import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The KMS calls on a signing key that someone must look at: each can end token issuance or hand signing to someone else. */
export const WATCHED_KEY_EVENTS = ['PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion'] as const;

export interface SigningKeyWatchProps {
  readonly keys: readonly kms.IKey[];
  /** The one role that may sign (SigningKeys.allowSigning); a Sign by anyone else is reported. */
  readonly signerRoleArn: string;
  readonly alarmTopic: sns.ITopic;
}

/**
 * EventBridge rules on the CloudTrail events of the signing keys: a change of their policy,
 * disabling them, scheduling their deletion, and a Sign (allowed or denied) by any principal
 * but the token role. Each rule sends the event itself to the alarm topic (who, from where)
 * and drives an alarm on its TriggeredRules metric, so the alarm console shows it too.
 *
 * CloudTrail delivers management events to EventBridge only where a trail records them
 * ("Events from AWS services": a trail with logging enabled is required), and Sign is a
 * read-only event, which a rule receives only in state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS ("Receiving read-only management events from
 * AWS services"). The account's trail is a prerequisite (docs/deploy.md).
 */
export class SigningKeyWatch extends Construct {
  readonly keyChanges: events.Rule;
  readonly foreignSign: events.Rule;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: SigningKeyWatchProps) {
    super(scope, id);
    const keyArns = props.keys.map((k) => k.keyArn);
    const onKeys = { eventSource: ['kms.amazonaws.com'], resources: { ARN: keyArns } };
    this.keyChanges = new events.Rule(this, 'KeyChanges', {
      description: 'mcp-oauth: a signing key\'s policy changed, or the key was disabled or scheduled for deletion',
      eventPattern: { source: ['aws.kms'], detailType: ['AWS API Call via CloudTrail'], detail: { ...onKeys, eventName: [...WATCHED_KEY_EVENTS] } },
    });
    this.foreignSign = new events.Rule(this, 'ForeignSign', {
      description: 'mcp-oauth: a principal other than the token function called Sign on a signing key',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          ...onKeys,
          eventName: ['Sign'],
          // Any caller but a session of the token role: another role's session, or a user (no session issuer at all).
          $or: [
            { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': props.signerRoleArn }] } } } },
            { userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
          ],
        },
      },
    });
    (this.foreignSign.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

    const alarmAction = new actions.SnsAction(props.alarmTopic);
    this.alarms = [this.keyChanges, this.foreignSign].map((rule) => {
      rule.addTarget(new eventTargets.SnsTopic(props.alarmTopic));
      const alarm = new cloudwatch.Alarm(this, `${rule.node.id}Alarm`, {
        alarmDescription: `${rule.node.id === 'KeyChanges' ? 'A signing key\'s policy changed, or the key was disabled or scheduled for deletion' : 'Someone other than the token function called Sign on a signing key'}: see the event on the alarm topic and docs/key-rotation.md.`,
        metric: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(alarmAction);
      return alarm;
    });
  }
}
