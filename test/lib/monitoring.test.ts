import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStack } from '../../lib/release-stack';
import { shippedStack } from '../support/shipped-stack';

interface MetricStat {
  readonly MetricName: string;
  readonly Namespace: string;
  readonly Dimensions?: Array<{ Name: string; Value: unknown }>;
}

interface Alarm {
  readonly Properties: {
    readonly AlarmName: string;
    readonly AlarmActions: unknown[];
    readonly OKActions: unknown[];
    readonly Threshold: number;
    /** Some alarms carry their metric as a one-metric query, the others as plain fields. */
    readonly Metrics?: Array<{ MetricStat?: { Metric: MetricStat } }>;
  } & Partial<MetricStat>;
}

const metricOf = (alarm: Alarm): MetricStat | undefined => {
  const { Metrics, MetricName, Namespace, Dimensions } = alarm.Properties;
  return Metrics?.find((query) => query.MetricStat)?.MetricStat?.Metric ?? (MetricName && Namespace ? { MetricName, Namespace, ...(Dimensions ? { Dimensions } : {}) } : undefined);
};

describe('ReleaseMonitoring (template)', () => {
  let template: Template;
  let stack: ReleaseStack;
  let alarms: Alarm[];
  beforeAll(() => {
    ({ stack, template } = shippedStack());
    alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  });

  const topic = () => ({ Ref: stack.getLogicalId(stack.notifications.topic.node.defaultChild as never) });
  const named = (metric: string, namespace: string) => alarms.filter((alarm) => metricOf(alarm)?.MetricName === metric && metricOf(alarm)?.Namespace === namespace);

  it('sends every alarm, and its return to OK, to the notification topic', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmName).toEqual([topic()]);
      expect(alarm.Properties.OKActions, alarm.Properties.AlarmName).toEqual([topic()]);
    }
    // CloudWatch may use the topic's key to publish.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    // Only on behalf of this account, and once however many constructs raise alarms.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })]) },
    });
    const statements = Object.values(template.findResources('AWS::KMS::Key')).flatMap((key) => (key as { Properties: { KeyPolicy: { Statement: { Principal?: { Service?: string } }[] } } }).Properties.KeyPolicy.Statement);
    expect(statements.filter((statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com')).toHaveLength(1);
  });

  it('alarms on a failed or timed-out execution of each workflow', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const found = named(metric, 'AWS/States');
      expect(found.map((alarm) => metricOf(alarm)?.Dimensions?.[0]?.Value)).toEqual([
        { Ref: stack.getLogicalId(stack.continuous.stateMachine.node.defaultChild as never) },
        { Ref: stack.getLogicalId(stack.promotion.stateMachine.node.defaultChild as never) },
      ]);
      for (const alarm of found) expect(alarm.Properties.Threshold).toBe(0);
    }
  });

  it('alarms on the HTTP API\'s 5xx, 4xx and latency', () => {
    expect(named('5XXError', 'AWS/ApiGateway')).toHaveLength(1);
    expect(named('4XXError', 'AWS/ApiGateway').map((alarm) => alarm.Properties.Threshold)).toEqual([20]);
    expect(named('Latency', 'AWS/ApiGateway').map((alarm) => alarm.Properties.Threshold)).toEqual([1000]);
  });

  it('alarms on each function\'s errors, throttles and duration', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Tags: Match.arrayWith([Match.objectLike({ Key: 'cot:handler' })]) } })).length;
    expect(functions).toBeGreaterThanOrEqual(7);
    expect(named('Errors', 'AWS/Lambda')).toHaveLength(functions);
    expect(named('Throttles', 'AWS/Lambda')).toHaveLength(functions);
    expect(named('Duration', 'AWS/Lambda')).toHaveLength(functions);
  });

  it('alarms on a failed build, deploy or test of any repository, counted from both workflows\' logs: one alarm whatever the number of repositories', () => {
    for (const workflow of [stack.continuous, stack.promotion]) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: stack.getLogicalId(workflow.node.findChild('StateMachineLogs').node.defaultChild as never) },
        FilterPattern: '{ ($.type = "TaskFailed") && ($.details.resourceType = "codebuild") }',
        MetricTransformations: [{ MetricNamespace: 'CodeOnTapRelease', MetricName: 'CodeBuildRunsFailed', MetricValue: '1', DefaultValue: 0 }],
      });
    }
    expect(stack.projects.size).toBeGreaterThan(0);
    expect(named('CodeBuildRunsFailed', 'CodeOnTapRelease')).toHaveLength(1);
    expect(named('FailedBuilds', 'AWS/CodeBuild')).toHaveLength(0);
  });

  it('counts expired approvals from the promotion workflow\'s log and alarms on one', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: stack.getLogicalId(stack.promotion.node.findChild('StateMachineLogs').node.defaultChild as never) },
      FilterPattern: '{ ($.type = "ExecutionFailed") && ($.details.error = "ApprovalExpired") }',
      MetricTransformations: [{ MetricNamespace: 'CodeOnTapRelease', MetricName: 'ApprovalsExpired', MetricValue: '1', DefaultValue: 0 }],
    });
    expect(named('ApprovalsExpired', 'CodeOnTapRelease')).toHaveLength(1);
  });

  it('has one dashboard and outputs its URL', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))).toHaveLength(1);
    const output = template.findOutputs('DashboardUrl');
    expect(JSON.stringify(output)).toContain('console.aws.amazon.com/cloudwatch/home?region=');
    expect(JSON.stringify(output)).toContain('#dashboards:name=');
  });
});
