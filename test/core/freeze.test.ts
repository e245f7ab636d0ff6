import { describe, expect, it } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import { cronMatches, latestFiring, localTime, parseCron } from '../../core/cron';
import { FrozenError, activeFreezes, checkFreeze } from '../../core/freeze';
import { FreezeWindowConfig } from '../../core/freeze-config';

const utc = (iso: string) => new Date(iso);

describe('parseCron', () => {
  it.each([
    ['*/15 * * * *', 'minutes', [0, 15, 30, 45]],
    ['0 9-17/4 * * *', 'hours', [9, 13, 17]],
    ['0 0 1,15 * *', 'daysOfMonth', [1, 15]],
    ['0 0 * JAN,dec *', 'months', [1, 12]],
    ['0 0 * * FRI-SUN', 'daysOfWeek', [0, 5, 6]],
    ['0 0 * * 7', 'daysOfWeek', [0]],
    ['5/20 * * * *', 'minutes', [5, 25, 45]],
  ] as const)('%s gives %s %j', (expression, field, values) => {
    expect([...parseCron(expression)[field]].sort((a, b) => a - b)).toEqual(values);
  });

  it.each([
    ['* * * *', 'has 4 fields'],
    ['60 * * * *', 'minute 60 is outside 0-59'],
    ['* 24 * * *', 'hour 24 is outside 0-23'],
    ['* * 0 * *', 'day of month 0 is outside 1-31'],
    ['* * * FOO *', 'month "FOO" is not a number or a name'],
    ['*/0 * * * *', 'minute step "0"'],
    ['10-5 * * * *', 'runs backwards'],
    ['1-2-3 * * * *', 'is not a range'],
  ])('refuses %s (%s)', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });
});

describe('cronMatches in a time zone', () => {
  it('reads the wall clock of the zone, summer time included', () => {
    // Friday 17:00 in London is 16:00 UTC in summer (BST) and 17:00 UTC in winter (GMT).
    const friday5pm = parseCron('0 17 * * FRI');
    expect(cronMatches(friday5pm, utc('2026-07-03T16:00:00Z'), 'Europe/London')).toBe(true);
    expect(cronMatches(friday5pm, utc('2026-07-03T17:00:00Z'), 'Europe/London')).toBe(false);
    expect(cronMatches(friday5pm, utc('2026-12-04T17:00:00Z'), 'Europe/London')).toBe(true);
    expect(cronMatches(friday5pm, utc('2026-12-04T17:00:00Z'), 'UTC')).toBe(true);
    // 2026-07-04 01:30 in Tokyo is still Friday 16:30 UTC.
    expect(localTime(utc('2026-07-03T16:30:00Z'), 'Asia/Tokyo')).toEqual({ minute: 30, hour: 1, day: 4, month: 7, weekday: 6 });
  });

  it('matches either day field when both are restricted, as cron does', () => {
    const firstOrMonday = parseCron('0 0 1 * MON');
    expect(cronMatches(firstOrMonday, utc('2026-07-01T00:00:00Z'), 'UTC')).toBe(true); // a Wednesday, the 1st
    expect(cronMatches(firstOrMonday, utc('2026-07-06T00:00:00Z'), 'UTC')).toBe(true); // a Monday, the 6th
    expect(cronMatches(firstOrMonday, utc('2026-07-07T00:00:00Z'), 'UTC')).toBe(false);
    const mondays = parseCron('0 0 * * MON');
    expect(cronMatches(mondays, utc('2026-07-01T00:00:00Z'), 'UTC')).toBe(false);
  });

  it('finds the latest start within the look-back, or none', () => {
    const daily = parseCron('30 22 * * *');
    expect(latestFiring(daily, utc('2026-07-03T23:10:45Z'), 'UTC', 3_600_000)?.toISOString()).toBe('2026-07-03T22:30:00.000Z');
    expect(latestFiring(daily, utc('2026-07-03T23:31:00Z'), 'UTC', 3_600_000)).toBeUndefined();
  });
});

describe('freeze windows', () => {
  const windows = FreezeWindowConfig.array().parse([
    { from: '2026-12-22T00:00:00Z', to: '2027-01-06T00:00:00+01:00', reason: 'Year-end freeze' },
    { cron: '0 16 * * FRI', duration: '64h', reason: 'No weekend releases', timeZone: 'Europe/Berlin' },
  ]);

  it.each([
    // Tuesday 22 December to Tuesday 5 January, 23:00 UTC (midnight in +01:00).
    ['2026-12-21T23:59:59Z', []],
    ['2026-12-22T00:00:00Z', ['Year-end freeze']],
    ['2027-01-05T22:59:59Z', ['Year-end freeze']],
    ['2027-01-05T23:00:00Z', []],
    // Friday 16:00 Berlin (CET) is 15:00 UTC; 64 hours later is Monday 08:00 Berlin, 07:00 UTC.
    ['2027-01-08T14:59:00Z', []],
    ['2027-01-08T15:00:00Z', ['No weekend releases']],
    ['2027-01-11T06:59:00Z', ['No weekend releases']],
    ['2027-01-11T07:00:00Z', []],
  ])('at %s: %j', (at, reasons) => {
    expect(activeFreezes(windows, utc(at)).map((window) => window.reason)).toEqual(reasons);
  });

  it('names the recurring window it is in: its start, its end and its rule', () => {
    expect(activeFreezes(windows, utc('2027-01-09T12:00:00Z'))).toEqual([
      { from: '2027-01-08T15:00:00.000Z', to: '2027-01-11T07:00:00.000Z', reason: 'No weekend releases', cron: '0 16 * * FRI', timeZone: 'Europe/Berlin' },
    ]);
  });

  it('refuses without an override, naming the window and its reason; with one, answers what to record', () => {
    const env = { name: 'production', freeze: windows };
    const now = utc('2026-12-24T10:00:00Z');
    let refused: unknown;
    try {
      checkFreeze(env, { now, by: 'alice' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(FrozenError);
    expect((refused as FrozenError).message).toBe(
      'production is frozen until 2027-01-05T23:00:00.000Z: Year-end freeze; to release anyway, pass an override saying why (cot release ... --override "why")',
    );
    expect(() => checkFreeze(env, { now, by: 'alice', override: '   ' })).toThrow(FrozenError);
    expect(checkFreeze(env, { now, by: 'alice', override: ' INC-42 hotfix ' })).toEqual({
      reason: 'INC-42 hotfix',
      by: 'alice',
      at: '2026-12-24T10:00:00.000Z',
      windows: [{ from: '2026-12-22T00:00:00.000Z', to: '2027-01-05T23:00:00.000Z', reason: 'Year-end freeze' }],
    });
    expect(checkFreeze(env, { now: utc('2027-02-02T10:00:00Z'), by: 'alice', override: 'not needed' })).toBeUndefined();
    expect(checkFreeze({ name: 'staging' }, { now, by: 'alice' })).toBeUndefined();
  });
});

describe('freeze in the config', () => {
  const base = {
    product: 'acme',
    repositories: [{ name: 'svc', provider: 'github', url: 'https://github.com/acme/svc' }],
    notifications: { from: 'releases@example.com' },
  };
  const withFreeze = (freeze: unknown) => ({
    ...base,
    environments: [
      { name: 'integration', mode: 'continuous', branch: 'main' },
      { name: 'production', mode: 'approval', approvers: ['rm@example.com'], freeze },
    ],
  });
  const problems = (input: unknown) => {
    const result = ReleaseConfig.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('accepts fixed and recurring windows', () => {
    expect(problems(withFreeze([{ from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'Year end' }, { cron: '0 16 * * 5', duration: '3d', reason: 'Weekend', timeZone: 'UTC' }]))).toEqual([]);
  });

  it.each([
    [{ from: '2026-12-20', to: '2027-01-04T00:00:00Z', reason: 'r' }, 'environments.1.freeze.0.from: must be an ISO 8601 date and time with its offset'],
    [{ from: '2027-01-04T00:00:00Z', to: '2026-12-20T00:00:00Z', reason: 'r' }, 'environments.1.freeze.0.to: to must be after from'],
    [{ from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: ' ' }, 'environments.1.freeze.0.reason: must say why'],
    [{ cron: '0 16 * *', duration: '3d', reason: 'r', timeZone: 'UTC' }, 'environments.1.freeze.0.cron: is not a cron expression: has 4 fields'],
    [{ cron: '0 16 * * 5', duration: '8d', reason: 'r', timeZone: 'UTC' }, 'environments.1.freeze.0.duration: must be from 1m to 7d'],
    [{ cron: '0 16 * * 5', duration: '3d', reason: 'r', timeZone: 'Mars/Olympus' }, 'environments.1.freeze.0.timeZone: must be an IANA time zone'],
    [{ reason: 'r' }, 'environments.1.freeze.0: a freeze window is either {from, to, reason} or {cron, duration, reason, timeZone}'],
  ])('refuses %j', (window, message) => {
    expect(problems(withFreeze([window])).join('\n')).toContain(message);
  });
});
