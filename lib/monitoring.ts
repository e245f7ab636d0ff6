import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { EXECUTION_ERRORS } from '../core/workflow-names';
import { HandlerFunction } from './handler-function';
import type { Notifications } from './notifications';

export interface ReleaseMonitoringProps {
  /** Where every alarm goes (and back to OK): the stack's notification topic. */
  readonly notifications: Notifications;
  /**
   * The workflows: failed and timed-out executions alarm; a failed CodeBuild build, deploy or test is
   * seen in their execution logs.
   */
  readonly workflows: ReadonlyArray<{ readonly name: string; readonly stateMachine: sfn.IStateMachine; readonly logs: logs.ILogGroup }>;
  /** The promotion workflow's execution log group, where an approval's expiry is seen. */
  readonly promotionLogs: logs.ILogGroup;
  /** The HTTP API (webhooks, approval pages, operators): 4xx, 5xx and latency. */
  readonly api: apigw.RestApi;
  /** @default 'prod' */
  readonly apiStage?: string;
  /**
   * Thresholds a team may tune.
   * @default webhook p90 latency 1 s (the git hosts want an answer within 10 s; we aim for 1 s), API 4xx
   * more than 20 in 5 minutes
   */
  readonly thresholds?: { readonly apiLatencyP90?: Duration; readonly api4xxPer5Minutes?: number };
}

/** The custom metric of expired approvals. */
export const APPROVALS_EXPIRED_METRIC = { namespace: 'CodeOnTapRelease', metricName: 'ApprovalsExpired' } as const;

/** The custom metric of failed CodeBuild runs (builds, deploys, tests) of the workflows. */
export const CODEBUILD_FAILED_METRIC = { namespace: 'CodeOnTapRelease', metricName: 'CodeBuildRunsFailed' } as const;

/**
 * One CloudWatch dashboard and its alarms, made with cdk-monitoring-constructs (docs/operations.md#dashboard-and-alarms):
 * workflow executions failed or timed out, the HTTP API's 4xx, 5xx and latency, each of our Lambda
 * functions' errors, throttles and duration, CodeBuild failures, and expired approvals (a metric filter
 * on the promotion workflow's execution log). Every alarm notifies the stack's topic.
 */
export class ReleaseMonitoring extends Construct {
  readonly facade: MonitoringFacade;
  readonly dashboard: cloudwatch.Dashboard;
  /** Where the dashboard opens in the console. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: ReleaseMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { notifications } = props;
    // CloudWatch publishes alarms to the encrypted topic: it needs the topic's key.
    notifications.allowAlarms();

    const dashboards = new DefaultDashboardFactory(this, 'Dashboards', {
      dashboardNamePrefix: stack.stackName,
      createDashboard: true,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
    });
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: stack.stackName,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: notifications.topic, onOkTopic: notifications.topic }),
        datapointsToAlarm: 1,
      },
      metricFactoryDefaults: {},
      dashboardFactory: dashboards,
    });

    const once = { Critical: { maxErrorCount: 0 } };
    for (const workflow of props.workflows) {
      this.facade.monitorStepFunction({
        stateMachine: workflow.stateMachine,
        humanReadableName: `${workflow.name} workflow`,
        alarmFriendlyName: `${workflow.name}-workflow`,
        addFailedExecutionCountAlarm: once,
        addTimedOutExecutionCountAlarm: once,
      });
    }

    this.facade.monitorApiGateway({
      api: props.api,
      apiStage: props.apiStage ?? 'prod',
      humanReadableName: 'HTTP API (webhooks, approval pages, operators)',
      alarmFriendlyName: 'http-api',
      add5XXFaultCountAlarm: once,
      add4XXErrorCountAlarm: { Warning: { maxErrorCount: props.thresholds?.api4xxPer5Minutes ?? 20 } },
      addLatencyP90Alarm: { Warning: { maxLatency: props.thresholds?.apiLatencyP90 ?? Duration.seconds(1) } },
    });

    const functions = stack.node.findAll().filter((construct): construct is HandlerFunction => construct instanceof HandlerFunction);
    for (const fn of functions) {
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        humanReadableName: `${fn.handlerName} function`,
        alarmFriendlyName: `${fn.handlerName}-function`,
        addFaultCountAlarm: once,
        addThrottlesCountAlarm: once,
        // Most of the time allowed: a function this slow is about to time out.
        addMaxLatencyAlarm: { Warning: { maxLatency: Duration.millis(fn.timeout ? fn.timeout.toMilliseconds() * 0.8 : 24_000) } },
      });
    }

    // A failed build, deploy or test is a CodeBuild Task that failed in a workflow: counted from the
    // workflows' execution logs, so the stack has one alarm for them however many repositories it has
    // (one alarm per project took a 25-repository stack past CloudFormation's 500 resources).
    for (const workflow of props.workflows) {
      new logs.MetricFilter(this, `CodeBuildFailedFilter-${workflow.name}`, {
        logGroup: workflow.logs,
        metricNamespace: CODEBUILD_FAILED_METRIC.namespace,
        metricName: CODEBUILD_FAILED_METRIC.metricName,
        filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.type', '=', 'TaskFailed'), logs.FilterPattern.stringValue('$.details.resourceType', '=', 'codebuild')),
        metricValue: '1',
        defaultValue: 0,
      });
    }
    const failedRuns = new cloudwatch.Metric({ ...CODEBUILD_FAILED_METRIC, statistic: 'Sum', period: Duration.minutes(5), label: 'CodeBuild runs failed' });
    this.facade.monitorCustom({
      humanReadableName: 'CodeBuild',
      alarmFriendlyName: 'codebuild',
      metricGroups: [
        {
          title: 'Builds, deploys and tests failed',
          metrics: [
            {
              metric: failedRuns,
              alarmFriendlyName: 'codebuild-failed',
              addAlarm: { Warning: { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD } },
            },
          ],
        },
      ],
    });

    // The promotion workflow ends with `ApprovalExpired` when nobody decided in time.
    new logs.MetricFilter(this, 'ApprovalsExpiredFilter', {
      logGroup: props.promotionLogs,
      metricNamespace: APPROVALS_EXPIRED_METRIC.namespace,
      metricName: APPROVALS_EXPIRED_METRIC.metricName,
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.type', '=', 'ExecutionFailed'), logs.FilterPattern.stringValue('$.details.error', '=', EXECUTION_ERRORS.approvalExpired)),
      metricValue: '1',
      defaultValue: 0,
    });
    const expired = new cloudwatch.Metric({ ...APPROVALS_EXPIRED_METRIC, statistic: 'Sum', period: Duration.minutes(5), label: 'approvals expired' });
    this.facade.monitorCustom({
      humanReadableName: 'Approvals',
      alarmFriendlyName: 'approvals',
      metricGroups: [
        {
          title: 'Approvals expired (nobody decided in time)',
          metrics: [
            {
              metric: expired,
              alarmFriendlyName: 'approvals-expired',
              addAlarm: { Warning: { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD } },
            },
          ],
        },
      ],
    });

    const dashboard = this.facade.createdDashboard();
    if (!dashboard) throw new Error('cdk-monitoring-constructs made no dashboard');
    this.dashboard = dashboard;
    this.dashboardUrl = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboard.dashboardName}`;
  }
}
