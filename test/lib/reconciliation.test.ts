import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { newReleaseId } from '../../core/ids';
import { systemClock } from '../../core/ports';
import { Reconciler } from '../../core/reconcile';
import { reconcileHandler } from '../../lambdas/reconcile';
import { ReleaseStack } from '../../lib/release-stack';
import { createTestCmdb } from '../support/dynamo';
import { constructTestApp } from '../support/cdk-app';

describe('reconciliation on AWS', () => {
  let template: Template;
  beforeAll(() => {
    const app = constructTestApp();
    const stack = new ReleaseStack(app, 'Test', { config: loadConfig('release.config.yaml') });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(stack);
  });

  it('sends the failed, timed-out and stopped executions of both workflows, and only those, to the reconcile function', () => {
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(2);

    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: machines.map((id) => ({ Ref: id })) },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconciliationHandler'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 10 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Tags: Match.arrayWith([{ Key: 'cot:handler', Value: 'reconcile' }]) });
  });

  it('keeps every event it could not handle in an encrypted, TLS-only dead-letter queue, and alarms to the notification topic when it holds one', () => {
    // The queue: encrypted at rest, refusing plain HTTP.
    const queues = template.findResources('AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(([id]) => id.startsWith('ReconciliationDeadLetters')) ?? [];
    expect(queueId).toBeDefined();
    expect(queue?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });

    // What EventBridge cannot deliver, after retries, and what the function fails on after Lambda's own.
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^ReconciliationHandler') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });

    // The alarm: any message at all, sent to the notification topic, whose key CloudWatch may use.
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [{ Ref: topic }],
    });
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    expect(JSON.stringify(key?.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  });

  it('lets the reconcile function touch only what it closes: releases, leases and approvals, no index', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ReconciliationHandler') }] } }));
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as Array<{ Action: string | string[]; Resource: unknown }>;
    const dynamo = statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('dynamodb:')).sort();

    // Read a release and the board, move the release (with its cell), free the lease, close approvals.
    expect(dynamo).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(statements)).not.toContain('/index/');
  });
});

describe('the reconcile handler (DynamoDB Local)', () => {
  it('fails the release of a stopped promotion from the EventBridge event, and refuses anything else', async () => {
    // Prepare
    const db = await createTestCmdb();
    const releaseId = newReleaseId();
    const at = new Date().toISOString();
    await db.releases.createRelease({ releaseId, repository: 'svc', environment: 'production', commit: 'c'.repeat(40), kind: 'release', requestedBy: 'rm', createdAt: at });
    await db.releases.transitionRelease(releaseId, 'deploying', { by: 'codebuild', at });
    await db.leases.acquireLease('svc', 'production', releaseId, 3600, new Date());
    const handle = reconcileHandler({ reconciler: new Reconciler({ releases: db.releases, leases: db.leases, approvals: db.approvals, promotions: db.promotions, clock: systemClock }) });
    const event = {
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { name: releaseId, status: 'ABORTED', startDate: Date.now(), input: JSON.stringify({ releaseId }), cause: null, error: null },
    };

    // Act
    const result = await handle(event);

    // Assess
    expect(result).toEqual({ releaseId, closed: true });
    expect(await db.releases.getRelease(releaseId)).toMatchObject({ state: 'failed', failure: { step: 'workflow', message: 'the workflow aborted' } });
    expect(await db.leases.leaseHolder('svc', 'production')).toBeUndefined();
    await expect(handle({ detail: { ...event.detail, status: 'SUCCEEDED' } })).rejects.toThrow(/not an execution status change/);
  });
});
