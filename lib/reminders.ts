import { ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { reminderScheduleNames } from '../core/approval-reminders';
import { ENV } from '../lambdas/handler-environment';
import { defaultPolicyOf, nagResource } from './acknowledge';
import type { HandlerFunction } from './handler-function';

export interface ApprovalRemindersProps {
  /**
   * The function that creates approvals (`Approvals.request`, already able to email approvers): it sets
   * each approval's reminder and is what the reminder invokes.
   */
  readonly approvalRequest: HandlerFunction<'approval-request'>;
}

/**
 * Reminders on AWS (docs/operations.md#reminders): a schedule group for one-time schedules and the role
 * EventBridge Scheduler invokes the approval-request function with. That function may create schedules
 * in that group only and pass that role only (to Scheduler only); its CMDB grant
 * (`CmdbTable.grantApprovalRequests`) covers reading an approval and claiming its reminder.
 * Names are known at synth (`reminderScheduleNames`), so its environment gains one short literal.
 */
export class ApprovalReminders extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  /** Assumed by EventBridge Scheduler to invoke the approval-request function, and for nothing else. */
  readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string, props: ApprovalRemindersProps) {
    super(scope, id);
    const { approvalRequest } = props;
    const stack = Stack.of(this);
    const names = reminderScheduleNames(stack.stackName);
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: names.group });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      roleName: `${names.rolePrefix}-${Aws.REGION}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'EventBridge Scheduler invokes the approval-request function with it, to send a reminder',
    });
    // The unqualified ARN only (grantInvoke would add every version and alias: `<arn>:*`).
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [approvalRequest.functionArn] }));

    const schedules = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${names.group}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    approvalRequest.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedules] }));
    approvalRequest.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
    );
    approvalRequest.setEnvironment({ [ENV.reminderSchedules]: `${names.group}/${names.rolePrefix}` });
    approvalRequest.node.addDependency(this.group);
    Validations.of(defaultPolicyOf(approvalRequest.role)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, schedules)}]`,
      reason: 'Each approval gets a schedule of its own, named after it when it is created: the grant names the reminders\' schedule group, not one schedule.',
    });
  }
}
