import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';
import { ENV } from '../lambdas/handler-environment';
import type { CmdbTable } from './cmdb-table';
import { resourceOf } from './acknowledge';
import { HandlerFunction } from './handler-function';
import type { Notifications } from './notifications';

export interface ReconciliationProps {
  readonly config: ReleaseConfig;
  /** The CMDB whose releases, leases and approvals a stopped execution may have left open. */
  readonly table: CmdbTable;
  /** The workflows whose executions are watched. */
  readonly stateMachines: readonly sfn.IStateMachine[];
  /**
   * Where the alarm on the dead-letter queue is sent (its key is opened to CloudWatch alarms).
   * @default the alarm is made with no action: it shows in the CloudWatch console only
   */
  readonly notifications?: Notifications;
}

/**
 * Closes what a workflow execution left open when it ended outside its own Catch: an execution timeout,
 * a StopExecution, a step failing in a way the definition does not catch. Step Functions reports every
 * such end on EventBridge ("Step Functions Execution Status Change"); a rule on our state machines'
 * FAILED, TIMED_OUT and ABORTED ends calls a function that fails the release with the reason, frees its
 * deploy lease and closes its pending approvals (docs/architecture.md#reconciliation). Runs that
 * recorded their own end are left as they are.
 *
 * An event that could not be handled is never lost silently: what EventBridge could not deliver, and what
 * the function failed on after Lambda's retries, lands in `deadLetters`, and `deadLetterAlarm` fires as
 * soon as it holds a message (each one names a release left open: close it by hand or redrive it).
 */
export class Reconciliation extends Construct {
  readonly handler: HandlerFunction<'reconcile'>;
  readonly rule: events.Rule;
  /** Events the reconcile function never handled; kept 14 days, encrypted, TLS only. */
  readonly deadLetters: sqs.Queue;
  /** In alarm while `deadLetters` holds a message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    this.handler = new HandlerFunction(this, 'Handler', {
      handler: 'reconcile',
      description: 'Closes what a workflow execution left open when it ended outside its own Catch',
      environment: { [ENV.product]: props.config.product, [ENV.tableName]: props.table.table.tableName },
      settings: {},
    });
    props.table.grantReconciler(this.handler);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(resourceOf(this.deadLetters)).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter destination of the reconcile rule and function; cdk-nag only recognises SQS redrive policies as DLQ use.',
    });
    // A failing invocation is retried twice by Lambda, then kept.
    this.handler.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(this.deadLetters) });
    this.rule = new events.Rule(this, 'ExecutionEnded', {
      description: 'Our workflow executions that failed, timed out or were stopped',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: props.stateMachines.map((machine) => machine.stateMachineArn) },
      },
      // Delivery to Lambda is retried by EventBridge for up to a day, then the event is kept.
      targets: [new targets.LambdaFunction(this.handler, { retryAttempts: 10, maxEventAge: Duration.hours(24), deadLetterQueue: this.deadLetters })],
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'A workflow execution ended outside its own Catch and could not be reconciled: a release, its lease or its approvals may be left open (docs/architecture.md#reconciliation)',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.notifications) {
      // Its return to OK too, as every alarm of the stack (docs/operations.md#dashboard-and-alarms).
      const topic = new cloudwatchActions.SnsAction(props.notifications.topic);
      this.deadLetterAlarm.addAlarmAction(topic);
      this.deadLetterAlarm.addOkAction(topic);
      // The topic is encrypted with its own key: CloudWatch may publish only if it may use that key.
      props.notifications.allowAlarms();
    }
  }
}
