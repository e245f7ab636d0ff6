import { createHash } from 'node:crypto';
import type { Approval } from './cmdb';
import type { ApprovalStore, ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import { parseDuration } from './duration';
import { approvalExpiringNotice, type Notice } from './notifications';
import type { Clock } from './ports';

/*
 * Reminders (docs/operations.md#reminders): an approval nobody has decided some time before it expires
 * is emailed to its approvers once more, with the same links. When it is requested a one-time wake-up is
 * set (an EventBridge Scheduler schedule on AWS, a timer in local mode); when it fires, an approval that
 * was decided or closed meanwhile is left alone, and one that is still pending is reminded once.
 */

/** By default a reminder comes halfway through an approval's life, and at most this long before it expires. */
export const MAX_REMINDER_LEAD_MS = 24 * 3600 * 1000;

/** Sets a one-time wake-up that calls `ApprovalReminders.remind(approvalId)` at `at`. */
export interface ReminderScheduler {
  schedule(approvalId: string, at: Date): Promise<void>;
}

/** Emails the approvers of a pending approval again, with the links of the first email. */
export interface ApprovalReminderNotifier {
  approvalReminder(approval: Approval): Promise<void>;
}

export type ReminderSettings = NonNullable<ReleaseConfig['notifications']['reminders']>;

/** When to remind of an approval, or undefined when it gets no reminder. */
export function reminderTime(approval: Pick<Approval, 'createdAt' | 'expiresAt'>, settings: ReminderSettings | undefined): Date | undefined {
  if (settings?.enabled === false) return undefined;
  const created = Date.parse(approval.createdAt);
  const expires = Date.parse(approval.expiresAt);
  const at = settings?.before !== undefined ? expires - parseDuration(settings.before) * 1000 : Math.max(created + (expires - created) / 2, expires - MAX_REMINDER_LEAD_MS);
  return at > created && at < expires ? new Date(at) : undefined;
}

export type ReminderOutcome = 'reminded' | 'not pending' | 'already reminded' | 'expired' | 'not found';

export interface ApprovalRemindersDeps {
  readonly config: ReleaseConfig;
  readonly approvals: ApprovalStore;
  readonly releases: ReleaseStore;
  readonly clock: Clock;
  /** @default reminders are planned but nobody is emailed (tests of the schedule alone) */
  readonly notifier?: ApprovalReminderNotifier;
  /** @default nothing is scheduled (a platform without a scheduler) */
  readonly scheduler?: ReminderScheduler;
  /** Tells the notification topic an approval is about to expire; never throws. @default nobody */
  readonly announce?: (notice: Notice) => Promise<void>;
}

export class ApprovalReminders {
  constructor(private readonly deps: ApprovalRemindersDeps) {}

  /** Sets the wake-up of a new approval; a past time (a restart after it) fires at once. */
  async plan(approval: Pick<Approval, 'approvalId' | 'createdAt' | 'expiresAt' | 'remindedAt' | 'status'>): Promise<Date | undefined> {
    if (approval.status !== 'pending' || approval.remindedAt) return undefined;
    const at = reminderTime(approval, this.deps.config.notifications.reminders);
    if (!at || !this.deps.scheduler) return undefined;
    await this.deps.scheduler.schedule(approval.approvalId, at);
    return at;
  }

  /** The wake-up: reminds a pending, unexpired approval once; anything else is left as it is. */
  async remind(approvalId: string): Promise<ReminderOutcome> {
    const { approvals, clock } = this.deps;
    const approval = await approvals.getApproval(approvalId);
    if (!approval) return 'not found';
    if (approval.status !== 'pending') return 'not pending';
    if (approval.remindedAt) return 'already reminded';
    const now = clock.now();
    if (Date.parse(approval.expiresAt) <= now.getTime()) return 'expired';
    // Claimed before sending: two wake-ups (a retried invocation) send one reminder.
    if (!(await approvals.markApprovalReminded(approvalId, now.toISOString()))) return 'already reminded';
    await this.deps.notifier?.approvalReminder(approval);
    await this.deps.announce?.(approvalExpiringNotice(approval));
    return 'reminded';
  }

  /**
   * Plans again every pending approval of the board (local mode after a restart: its timers died with
   * the process). Answers how many wake-ups were set.
   */
  async replanPending(): Promise<number> {
    const { approvals, releases, clock } = this.deps;
    const now = clock.now().getTime();
    let planned = 0;
    for (const pending of (await releases.board()).pendingApprovals) {
      if (Date.parse(pending.expiresAt) <= now) continue;
      const approval = await approvals.getApproval(pending.id);
      if (approval && (await this.plan(approval))) planned += 1;
    }
    return planned;
  }
}

/**
 * The names a stack's reminders go by on AWS, short enough for any stack name: the schedule group
 * (regional) and the prefix of the scheduler role (IAM names are global to the account, so the role
 * adds its region: `<rolePrefix>-<region>`).
 */
export function reminderScheduleNames(stackName: string): { readonly group: string; readonly rolePrefix: string } {
  const name = `cot-reminders-${createHash('sha256').update(stackName).digest('hex').slice(0, 12)}`;
  return { group: name, rolePrefix: name };
}

/** What a wake-up sends the approval-request function (it is also the reminders' target on AWS). */
export interface ReminderEvent {
  readonly reminderFor: string;
}
