import { describe, expect, it } from 'vitest';
import { reminderTime } from '../../core/approval-reminders';

const created = '2030-01-01T00:00:00.000Z';
const after = (hours: number) => new Date(Date.parse(created) + hours * 3600_000).toISOString();

describe('reminderTime', () => {
  it.each([
    ['halfway through a short approval', 10, undefined, after(5)],
    ['halfway through a 2-day approval (24 h before its expiry)', 48, undefined, after(24)],
    ['at most 24 h before a long one expires', 7 * 24, undefined, after(6 * 24)],
    ['the configured time before expiry', 7 * 24, { enabled: true, before: '12h' }, after(7 * 24 - 12)],
    ['none when the configured time is the whole life or more', 10, { enabled: true, before: '10h' }, undefined],
    ['none when reminders are off', 10, { enabled: false }, undefined],
  ] as const)('%s', (_what, lifeHours, settings, expected) => {
    expect(reminderTime({ createdAt: created, expiresAt: after(lifeHours) }, settings)?.toISOString()).toBe(expected);
  });
});
