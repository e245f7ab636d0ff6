import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The topic every workflow outcome is published to (a build, deploy or test failed; a commit was accepted).
 * Subscribe email, chat or anything else to it. Encrypted with its own key, TLS-only.
 */
export class Notifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Encrypts release notifications' });
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Release notifications', masterKey: this.key, enforceSSL: true });
    this.key.grantEncryptDecrypt(new iam.ServicePrincipal('sns.amazonaws.com'));
  }

  private alarmsAllowed = false;

  /**
   * Lets CloudWatch alarms of this account publish to the topic: the key's policy lets CloudWatch use the
   * key, only on behalf of this account (no confused deputy). Called by each construct with alarms; once.
   */
  allowAlarms(): void {
    if (this.alarmsAllowed) return;
    this.alarmsAllowed = true;
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Stack.of(this).account } });
    this.key.grant(cloudwatch, 'kms:Decrypt', 'kms:GenerateDataKey*');
  }

  /** Publishing to an encrypted topic needs the key too. */
  grantPublish(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
