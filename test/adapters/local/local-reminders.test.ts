import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LocalReminderTimers } from '../../../adapters/local/local-reminders';
import { systemClock } from '../../../core/ports';
import { eventually } from '../../support/eventually';

describe('LocalReminderTimers: what stops local mode waits for the reminders being sent', () => {
  it('resolves sent() once the reminder under way has been sent, not when its timers stop', async () => {
    let finish = () => {};
    const due: string[] = [];
    const timers = new LocalReminderTimers(
      (approvalId) =>
        new Promise<void>((resolve) => {
          due.push(approvalId);
          finish = resolve;
        }),
      systemClock,
    );
    await timers.schedule('approval-1', new Date());
    await eventually(() => due.length === 1, { what: 'the reminder to be due' });

    timers.stop();
    let sent = false;
    const waiting = timers.sent().then(() => (sent = true));
    await nextTurn();
    expect(sent).toBe(false);

    finish();
    await waiting;
    expect(sent).toBe(true);
  });

  it('resolves sent() when a reminder failed, which it reports', async () => {
    const failures: string[] = [];
    const timers = new LocalReminderTimers(() => Promise.reject(new Error('outbox gone')), systemClock, (approvalId, error) => failures.push(`${approvalId}: ${String(error)}`));
    await timers.schedule('approval-2', new Date());
    await eventually(() => failures.length === 1, { what: 'the failure reported' });

    await timers.sent();
    expect(failures).toEqual(['approval-2: Error: outbox gone']);
  });
});
