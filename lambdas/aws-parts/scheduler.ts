import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeReminderScheduler } from '../../adapters/aws/scheduler-reminders';
import type { AwsParts } from '../aws-wiring';

/** EventBridge Scheduler, for the one handler that sets approval reminders (docs/operations.md#reminders). */
export const scheduler: NonNullable<AwsParts['reminders']> = (target) => new EventBridgeReminderScheduler(new SchedulerClient({}), target);
