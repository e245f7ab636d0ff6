import type { ReminderScheduler } from '../../core/approval-reminders';
import type { Clock } from '../../core/ports';

/** Node keeps a timer of at most 2^31-1 ms (about 24.8 days); a later one is set again on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Local mode's EventBridge Scheduler (docs/operations.md#reminders): one in-process timer per approval.
 * Timers die with the process; local mode plans the pending approvals again when it starts
 * (`ApprovalReminders.replanPending`), so a reminder due while it was stopped goes out at the start.
 * Timers are unref'd: they never keep local mode (or a test) running.
 */
export class LocalReminderTimers implements ReminderScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Reminders being sent now (their emails being written). */
  private readonly sending = new Set<Promise<unknown>>();

  constructor(
    private readonly onDue: (approvalId: string) => Promise<unknown>,
    private readonly clock: Clock,
    private readonly onError: (approvalId: string, error: unknown) => void = () => undefined,
  ) {}

  async schedule(approvalId: string, at: Date): Promise<void> {
    this.cancel(approvalId);
    this.arm(approvalId, at);
  }

  /** How many wake-ups are set: what a test or the console reports. */
  get pending(): number {
    return this.timers.size;
  }

  cancel(approvalId: string): void {
    clearTimeout(this.timers.get(approvalId));
    this.timers.delete(approvalId);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Resolves once the reminders being sent now have been sent (or failed): what stops local mode, or a
   * test, waits for this after `stop()` before it removes the data folder their emails are written to.
   */
  async sent(): Promise<void> {
    await Promise.allSettled([...this.sending]);
  }

  private arm(approvalId: string, at: Date): void {
    const delay = Math.max(0, at.getTime() - this.clock.now().getTime());
    const timer = setTimeout(() => {
      this.timers.delete(approvalId);
      if (delay > MAX_TIMER_MS) return this.arm(approvalId, at);
      const sending = this.onDue(approvalId)
        .catch((error: unknown) => this.onError(approvalId, error))
        .finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(approvalId, timer);
  }
}
