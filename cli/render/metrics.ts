import type { Metrics } from '../api-types';
import { renderTable } from './table';

/** The four keys as a small table; durations in the largest unit that keeps them readable. */
export function renderMetrics(metrics: Metrics): string {
  const { deploymentFrequency: frequency, leadTime, changeFailureRate: failures, timeToRestore: restore } = metrics;
  const rows = [
    ['deployment frequency', `${frequency.deployments} deployments, ${frequency.perDay} a day`],
    ['lead time for changes', leadTime.changes === 0 ? '-' : `median ${duration(leadTime.medianSeconds)}, p90 ${duration(leadTime.p90Seconds)} (${leadTime.changes} changes)`],
    ['change failure rate', failures.rate === null || failures.rate === undefined ? '-' : `${Math.round(failures.rate * 1000) / 10}% (${failures.failures} of ${failures.deployments})`],
    [
      'time to restore',
      (restore.restored === 0 ? '-' : `median ${duration(restore.medianSeconds)} (${restore.restored} restored)`) + (restore.unrestored > 0 ? `, ${restore.unrestored} not restored yet` : ''),
    ],
  ];
  return `${metrics.environment}, last ${metrics.days} day${metrics.days === 1 ? '' : 's'}\n${renderTable(rows)}`;
}

/** 90 -> "1m 30s", 93600 -> "1d 2h", 86405 -> "1d": the largest unit and the next one, when not zero. */
export function duration(seconds: number | null | undefined): string {
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
