/** Times as people read them; each takes `now` (and a time zone) so that output is testable. */

/** "just now", "42s ago", "3m ago", "5h ago", "2d ago", or "in 3d" for a time still to come. */
export function formatAge(iso: string | null | undefined, now: Date): string {
  const at = parseTime(iso);
  if (at === undefined) return '-';
  const seconds = Math.round((now.getTime() - at) / 1000);
  const span = Math.abs(seconds);
  if (span < 5) return 'just now';
  const amount = span < 60 ? `${span}s` : span < 3600 ? `${Math.floor(span / 60)}m` : span < 48 * 3600 ? `${Math.floor(span / 3600)}h` : `${Math.floor(span / 86_400)}d`;
  return seconds >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** "2024-05-01 12:00" in the given time zone (default: the machine's). */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  const parts = partsOf(iso, timeZone);
  return parts ? `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}` : '-';
}

/** "2024-05-01 12:00:03": a moment in a release's history. */
export function formatTimestamp(iso: string | null | undefined, timeZone?: string): string {
  const parts = partsOf(iso, timeZone);
  return parts ? `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}` : '-';
}

/** "12:00:03", for lines that follow a release as it happens. */
export function formatClock(iso: string | null | undefined, timeZone?: string): string {
  const parts = partsOf(iso, timeZone);
  return parts ? `${parts.hour}:${parts.minute}:${parts.second}` : '--:--:--';
}

/** "0:42", "12:05", "1:02:03": how long a wait has lasted. */
export function formatElapsed(milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The 7-character form git shows; anything that is not a long hex SHA (a tag, "-") stays as is. */
export function shortSha(commit: string | null | undefined): string {
  if (!commit) return '-';
  return /^[0-9a-f]{8,40}$/i.test(commit) ? commit.slice(0, 7) : commit;
}

function parseTime(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at;
}

function partsOf(iso: string | null | undefined, timeZone?: string): Record<string, string> | undefined {
  const at = parseTime(iso);
  if (at === undefined) return undefined;
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
}
