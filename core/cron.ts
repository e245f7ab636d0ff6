/*
 * A five-field cron expression (minute hour day-of-month month day-of-week), read in an IANA time zone,
 * for recurring freeze windows (docs/operations.md#freeze-windows). No cron library is among our
 * dependencies and the job is small: match one minute against the expression.
 *
 * Fields take `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, and comma lists; months `JAN`-`DEC`
 * and weekdays `SUN`-`SAT` by name; weekday 7 is Sunday as well as 0. When both day-of-month and
 * day-of-week are restricted, a day matching either matches (as Vixie cron and POSIX do).
 */

export interface CronExpression {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  readonly anyDayOfMonth: boolean;
  readonly anyDayOfWeek: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The number the first name stands for. */
  readonly namesFrom?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, namesFrom: 0 },
];

/** Parses an expression; throws `RangeError` with a sentence naming the field that is wrong. */
export function parseCron(expression: string): CronExpression {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new RangeError(`has ${parts.length} field${parts.length === 1 ? '' : 's'}: a cron expression has 5 (minute hour day-of-month month day-of-week)`);
  const [minutes, hours, daysOfMonth, months, rawWeekdays] = parts.map((part, index) => parseField(part, FIELDS[index] as FieldSpec)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const daysOfWeek = new Set([...rawWeekdays].map((day) => day % 7));
  return { minutes, hours, daysOfMonth, months, daysOfWeek, anyDayOfMonth: parts[2] === '*', anyDayOfWeek: parts[4] === '*' };
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new RangeError(`${spec.name} "${item}" has more than one "/"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) {
      throw new RangeError(`${spec.name} step "${stepText}" must be a whole number from 1`);
    }
    let low: number;
    let high: number;
    if (range === '*') {
      low = spec.min;
      high = spec.name === 'day of week' ? 6 : spec.max;
    } else {
      const [from = '', to, more] = range.split('-');
      if (more !== undefined) throw new RangeError(`${spec.name} "${range}" is not a range a-b`);
      low = value(from, spec);
      high = to === undefined ? (stepText === undefined ? low : spec.max) : value(to, spec);
      // `FRI-SUN`: Sunday at the end of a range is day 7.
      if (spec.name === 'day of week' && to !== undefined && high === 0) high = 7;
      if (high < low) throw new RangeError(`${spec.name} range "${range}" runs backwards`);
    }
    for (let n = low; n <= high; n += step) values.add(n);
  }
  return values;
}

function value(text: string, spec: FieldSpec): number {
  const byName = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (byName >= 0) return byName + (spec.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new RangeError(`${spec.name} "${text}" is not a number${spec.names ? ' or a name' : ''}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new RangeError(`${spec.name} ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

/** The wall-clock fields of an instant in a time zone. */
export interface LocalTime {
  readonly minute: number;
  readonly hour: number;
  readonly day: number;
  readonly month: number;
  readonly weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formats.set(timeZone, format);
  }
  return format;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toUpperCase()),
  };
}

/** Whether the minute that `at` falls in matches the expression, on the wall clock of `timeZone`. */
export function cronMatches(cron: CronExpression, at: Date, timeZone: string): boolean {
  const t = localTime(at, timeZone);
  if (!cron.minutes.has(t.minute) || !cron.hours.has(t.hour) || !cron.months.has(t.month)) return false;
  const dom = cron.daysOfMonth.has(t.day);
  const dow = cron.daysOfWeek.has(t.weekday);
  if (cron.anyDayOfMonth || cron.anyDayOfWeek) return (cron.anyDayOfMonth || dom) && (cron.anyDayOfWeek || dow);
  return dom || dow;
}

const MINUTE = 60_000;

/**
 * The latest minute in `(at - lookBackMs, at]` at which the expression fires, or undefined. Walks minute
 * by minute (a week is about 10,000 steps), so a window's length is bounded by the config.
 */
export function latestFiring(cron: CronExpression, at: Date, timeZone: string, lookBackMs: number): Date | undefined {
  const start = Math.floor(at.getTime() / MINUTE) * MINUTE;
  for (let t = start; t > at.getTime() - lookBackMs; t -= MINUTE) {
    if (cronMatches(cron, new Date(t), timeZone)) return new Date(t);
  }
  return undefined;
}
