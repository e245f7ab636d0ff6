import * as z from 'zod';
import { isTimeZone, parseCron } from './cron';
import { DURATION_PATTERN, parseDuration } from './duration';

/*
 * The config schema of freeze windows (docs/operations.md#freeze-windows), apart from core/freeze.ts so
 * that the Lambda bundles, which check windows but never parse the config file, carry no classic zod.
 */

/** A recurring window may last at most a week: a longer one is a fixed window. */
export const MAX_RECURRING_FREEZE_DAYS = 7;

const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time with its offset, for example 2026-12-24T00:00:00Z' });
const reason = z.string().trim().min(1, 'must say why the environment is frozen').max(500).describe('Shown to whoever is refused, and in the 409 answer.');

const FixedFreeze = z
  .strictObject({
    from: isoDateTime.describe('Start of the window (inclusive).'),
    to: isoDateTime.describe('End of the window (exclusive).'),
    reason,
  })
  .refine((window) => Date.parse(window.from) < Date.parse(window.to), { message: 'to must be after from', path: ['to'] });

const RecurringFreeze = z.strictObject({
  cron: z
    .string()
    .refine((value) => cronProblem(value) === undefined, { error: (issue) => `is not a cron expression: ${cronProblem(String(issue.input))}` })
    .describe('Five fields, minute hour day-of-month month day-of-week: when each window starts.'),
  duration: z
    .string()
    .regex(DURATION_PATTERN, 'must be a whole number followed by s, m, h or d, for example 90s, 30m, 12h or 3d')
    .refine((value) => !DURATION_PATTERN.test(value) || (parseDuration(value) >= 60 && parseDuration(value) <= MAX_RECURRING_FREEZE_DAYS * 86_400), `must be from 1m to ${MAX_RECURRING_FREEZE_DAYS}d`)
    .describe('How long each window lasts from its start.'),
  reason,
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, for example Europe/London or UTC').describe('The time zone the cron expression is read in.'),
});

export const FreezeWindowConfig = z.union([FixedFreeze, RecurringFreeze], {
  error: (issue) => (issue.code === 'invalid_union' ? 'a freeze window is either {from, to, reason} or {cron, duration, reason, timeZone}' : undefined),
});
export type FreezeWindowConfig = z.infer<typeof FreezeWindowConfig>;

function cronProblem(expression: string): string | undefined {
  try {
    parseCron(expression);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
