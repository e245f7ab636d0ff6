import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ReminderEvent, ReminderScheduler } from '../../core/approval-reminders';
import { TransientError } from '../../core/errors';
import { isTransientAwsError } from './aws-errors';

export interface SchedulerReminderTarget {
  /** The schedule group the stack made for reminders. */
  readonly groupName: string;
  /** The function a wake-up invokes with `{reminderFor}` (the approval-request function). */
  readonly functionArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  readonly roleArn: string;
}

/** `at()` takes a UTC date-time without zone or fraction: 2030-01-01T12:00:00. */
function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/**
 * Reminders on AWS (docs/operations.md#reminders): one EventBridge Scheduler one-time schedule per
 * approval, named after it, that invokes the approval-request function with `{reminderFor}` and is
 * deleted by the service once it has run. A second request for the same approval (a retried Task) finds
 * the schedule there and leaves it.
 */
export class EventBridgeReminderScheduler implements ReminderScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: SchedulerReminderTarget,
  ) {}

  async schedule(approvalId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: `reminder-${approvalId}`,
          GroupName: this.target.groupName,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.target.functionArn,
            RoleArn: this.target.roleArn,
            Input: JSON.stringify({ reminderFor: approvalId } satisfies ReminderEvent),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          },
          Description: `Reminds the approvers of ${approvalId} if nobody has decided by then`,
        }),
      );
    } catch (error) {
      if (error instanceof ConflictException) return;
      if (error instanceof Error && isTransientAwsError(error)) throw new TransientError('EventBridge Scheduler is busy; try again', { cause: error });
      throw error;
    }
  }
}
