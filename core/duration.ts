/** Durations in the config are written `90s`, `30m`, `12h` or `3d`. */
export const DURATION_PATTERN = /^(\d+)([smhd])$/;

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds in a duration such as `3d`; throws on anything else (the config schema checks first). */
export function parseDuration(value: string): number {
  const match = DURATION_PATTERN.exec(value);
  if (!match) throw new RangeError(`not a duration: ${value}`);
  return Number(match[1]) * SECONDS_PER_UNIT[match[2] as keyof typeof SECONDS_PER_UNIT];
}

/** 90 -> "1m 30s", 93600 -> "1d 2h", 86405 -> "1d": the largest unit and the next one, when not zero. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  const units: ReadonlyArray<readonly [string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  const total = Math.max(0, Math.round(seconds));
  const first = units.findIndex(([, size]) => total >= size);
  if (first < 0) return '0s';
  const [unit, size] = units[first] as readonly [string, number];
  const next = units[first + 1];
  const rest = next ? Math.floor((total % size) / next[1]) : 0;
  return `${Math.floor(total / size)}${unit}${next && rest > 0 ? ` ${rest}${next[0]}` : ''}`;
}
