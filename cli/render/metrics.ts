import type { Metrics } from '../api-types';
import { formatDuration as duration } from '../../core/duration';
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

/** The CLI and the console's metrics panel word durations alike (core/duration.ts). */
export { duration };
