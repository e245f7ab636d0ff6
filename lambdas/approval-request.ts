import * as z from 'zod/mini';
import type { ApprovalReminders, ReminderOutcome } from '../core/approval-reminders';
import type { Approvals } from '../core/approvals';
import { ValidationError } from '../core/errors';
import { isApprovalId } from '../core/ids';
import { ApprovalRequest, type ApprovalRequested } from '../core/workflow-contracts';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { stepFunctions } from './aws-parts/step-functions';
import { secretsManager } from './aws-parts/secrets-manager';
import { scheduler } from './aws-parts/scheduler';
import { ses } from './aws-parts/ses';
import { sns } from './aws-parts/sns';

/** What a reminder's one-time schedule sends (docs/operations.md#reminders). */
const ReminderEvent = z.object({ reminderFor: z.string().check(z.refine(isApprovalId, 'not an approval id')) });

/**
 * Invoked by the promotion workflow with `.waitForTaskToken`: stores the approval (its task token stays in
 * the CMDB), moves the release to waiting, emails each approver a signed link and sets the reminder. The
 * workflow waits until a decision sends the token back, or the Task times out.
 *
 * The reminder's schedule invokes this same function with `{reminderFor}`: it has what a reminder needs
 * (the links' key and base URL, SES), and being its own target keeps its environment small.
 */
export function approvalRequestHandler(deps: { approvals: Approvals; reminders?: ApprovalReminders }) {
  return async (raw: unknown): Promise<ApprovalRequested | { approvalId: string; reminder: ReminderOutcome }> => {
    const reminder = ReminderEvent.safeParse(raw);
    if (reminder.success && deps.reminders) {
      return { approvalId: reminder.data.reminderFor, reminder: await deps.reminders.remind(reminder.data.reminderFor) };
    }
    const parsed = ApprovalRequest.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`invalid approval request: ${z.prettifyError(parsed.error)}`);
    const approval = await deps.approvals.request(parsed.data);
    return { approvalId: approval.approvalId };
  };
}

/** The ARN this function was invoked as: the reminders' schedules invoke it by that ARN. */
let invokedFunctionArn: string | undefined;

/** What the approval-request handler is given on AWS: the CMDB and the parts named here (aws-parts/), no other SDK client. */
export const dependencies = (source: HandlerSource = {}) =>
  awsDependencies('approval-request', { workflows: stepFunctions, secrets: secretsManager, mailer: ses, reminders: scheduler, announce: sns }, { invokedFunctionArn: () => invokedFunctionArn, ...source }).approvalRequests();

const handle = coldStartHandler(() => approvalRequestHandler(dependencies()));

/** Lambda entry point. */
export const handler = (event: unknown, context?: { invokedFunctionArn?: string }) => {
  invokedFunctionArn ??= context?.invokedFunctionArn;
  return handle(event);
};
