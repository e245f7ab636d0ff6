/** Durations in the config are written `90s`, `30m`, `12h` or `3d`. */
export const DURATION_PATTERN = /^(\d+)([smhd])$/;

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds in a duration such as `3d`; throws on anything else (the config schema checks first). */
export function parseDuration(value: string): number {
  const match = DURATION_PATTERN.exec(value);
  if (!match) throw new RangeError(`not a duration: ${value}`);
  return Number(match[1]) * SECONDS_PER_UNIT[match[2] as keyof typeof SECONDS_PER_UNIT];
}
