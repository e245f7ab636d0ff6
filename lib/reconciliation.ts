import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';
import { ENV } from '../lambdas/handler-environment';
import type { CmdbTable } from './cmdb-table';
import { HandlerFunction } from './handler-function';

export interface ReconciliationProps {
  readonly config: ReleaseConfig;
  /** The CMDB whose releases, leases and approvals a stopped execution may have left open. */
  readonly table: CmdbTable;
  /** The workflows whose executions are watched. */
  readonly stateMachines: readonly sfn.IStateMachine[];
}

/**
 * Closes what a workflow execution left open when it ended outside its own Catch: an execution timeout,
 * a StopExecution, a step failing in a way the definition does not catch. Step Functions reports every
 * such end on EventBridge ("Step Functions Execution Status Change"); a rule on our state machines'
 * FAILED, TIMED_OUT and ABORTED ends calls a function that fails the release with the reason, frees its
 * deploy lease and closes its pending approvals (docs/architecture.md#reconciliation). Runs that
 * recorded their own end are left as they are.
 */
export class Reconciliation extends Construct {
  readonly handler: HandlerFunction<'reconcile'>;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    this.handler = new HandlerFunction(this, 'Handler', {
      handler: 'reconcile',
      description: 'Closes what a workflow execution left open when it ended outside its own Catch',
      environment: { [ENV.product]: props.config.product, [ENV.tableName]: props.table.table.tableName },
      settings: {},
    });
    props.table.grantReconciler(this.handler);
    this.rule = new events.Rule(this, 'ExecutionEnded', {
      description: 'Our workflow executions that failed, timed out or were stopped',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: props.stateMachines.map((machine) => machine.stateMachineArn) },
      },
      // Delivery to Lambda is retried by EventBridge; a failing invocation by Lambda's async retries (twice).
      targets: [new targets.LambdaFunction(this.handler, { retryAttempts: 10 })],
    });
  }
}
