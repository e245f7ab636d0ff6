import type { Release, StateChange } from './cmdb';
import type { ReleaseConfig } from './config';
import { EnvironmentChain } from './environment-chain';
import { ValidationError } from './errors';
import type { Clock } from './ports';

/*
 * Delivery metrics (the four DORA keys) from the CMDB history (docs/operations.md#delivery-metrics):
 * how often an environment is deployed to, how long a change takes from its push to its acceptance
 * there, how many deployments fail, and how long the environment stays failed.
 */

/** What the metrics read: each environment's history from a time on, and when commits were pushed. */
export interface MetricsStore {
  /** Deployments of a repository in an environment whose deploy started at or after `since`, oldest first. */
  deployments(repository: string, environment: string, since: string): AsyncIterable<Release>;
  /** When each commit was pushed, as the git host reports it (else when we received it); unknown ones are left out. */
  commitTimes(repository: string, commits: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

export const DEFAULT_METRICS_DAYS = 30;
export const MAX_METRICS_DAYS = 365;

export interface MetricsView {
  readonly environment: string;
  readonly days: number;
  readonly from: string;
  readonly to: string;
  /** Every deployment started in the window (releases, continuous runs and rollbacks). */
  readonly deploymentFrequency: { readonly deployments: number; readonly perDay: number };
  /** Push of a commit to its acceptance here, for accepted deployments that are not rollbacks. */
  readonly leadTime: { readonly changes: number; readonly medianSeconds: number | null; readonly p90Seconds: number | null };
  /** Deployments that failed or were rolled back, of all deployments in the window. */
  readonly changeFailureRate: { readonly failures: number; readonly deployments: number; readonly rate: number | null };
  /** A failure to the next accepted deployment of the same repository; `unrestored` have none yet. */
  readonly timeToRestore: { readonly restored: number; readonly unrestored: number; readonly medianSeconds: number | null };
  /** One entry per UTC day of the window, oldest first: what a chart draws. */
  readonly daily: ReadonlyArray<{ readonly date: string; readonly deployments: number; readonly failures: number }>;
}

const DAY_MS = 86_400_000;
const FAILED_STATES = new Set(['failed', 'rolled_back']);

/** The four keys of one environment over the last `days` days. */
export class DeliveryMetrics {
  private readonly chain: EnvironmentChain;

  constructor(private readonly deps: { readonly config: ReleaseConfig; readonly metrics: MetricsStore; readonly clock: Clock }) {
    this.chain = new EnvironmentChain(deps.config);
  }

  /** @param query.environment @default the last environment of the chain (production) */
  async compute(query: { environment?: string; days?: number }): Promise<MetricsView> {
    const days = query.days ?? DEFAULT_METRICS_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_METRICS_DAYS) throw new ValidationError(`days must be a whole number from 1 to ${MAX_METRICS_DAYS}`);
    const environment = query.environment === undefined ? this.chain.names[this.chain.names.length - 1] ?? '' : this.chain.get(query.environment).name;
    const to = this.deps.clock.now();
    const from = new Date(to.getTime() - days * DAY_MS);
    const histories = await Promise.all(
      this.deps.config.repositories.map(async (repository) => {
        const deployments: Release[] = [];
        for await (const release of this.deps.metrics.deployments(repository.name, environment, from.toISOString())) deployments.push(release);
        const changes = [...new Set(deployments.filter(isLeadTimeChange).map((release) => release.commit))];
        const commitTimes = changes.length > 0 ? await this.deps.metrics.commitTimes(repository.name, changes) : new Map<string, string>();
        return { deployments, commitTimes };
      }),
    );
    return deliveryMetrics({ environment, days, from, to, histories });
  }
}

/** One repository's deployments in the window, oldest first, and its commits' push times. */
export interface RepositoryHistory {
  readonly deployments: readonly Release[];
  readonly commitTimes: ReadonlyMap<string, string>;
}

/** The arithmetic, apart from the reading, so it is tested on histories written by hand. */
export function deliveryMetrics(input: { environment: string; days: number; from: Date; to: Date; histories: readonly RepositoryHistory[] }): MetricsView {
  const { from, to } = input;
  const all = input.histories.flatMap((history) => history.deployments);
  const leadTimes: number[] = [];
  const restores: number[] = [];
  let unrestored = 0;
  for (const { deployments, commitTimes } of input.histories) {
    for (const release of deployments) {
      const accepted = acceptedAt(release);
      const pushed = commitTimes.get(release.commit);
      if (isLeadTimeChange(release) && accepted && pushed) leadTimes.push(seconds(Date.parse(accepted) - Date.parse(pushed)));
      if (!FAILED_STATES.has(release.state)) continue;
      const failedAt = failureTime(release, deployments);
      const restoredAt = deployments
        .filter((later) => later.releaseId !== release.releaseId && startedAt(later) >= failedAt)
        .map(acceptedAt)
        .filter((at): at is string => at !== undefined && at >= failedAt)
        .sort()[0];
      if (restoredAt) restores.push(seconds(Date.parse(restoredAt) - Date.parse(failedAt)));
      else unrestored += 1;
    }
  }
  const failures = all.filter((release) => FAILED_STATES.has(release.state)).length;
  return {
    environment: input.environment,
    days: input.days,
    from: from.toISOString(),
    to: to.toISOString(),
    deploymentFrequency: { deployments: all.length, perDay: round(all.length / input.days) },
    leadTime: { changes: leadTimes.length, medianSeconds: percentile(leadTimes, 50), p90Seconds: percentile(leadTimes, 90) },
    changeFailureRate: { failures, deployments: all.length, rate: all.length === 0 ? null : round(failures / all.length) },
    timeToRestore: { restored: restores.length, unrestored, medianSeconds: percentile(restores, 50) },
    daily: dailyCounts(all, from, input.days),
  };
}

/** A change whose lead time counts: accepted, and not a rollback (which redeploys an old commit). */
function isLeadTimeChange(release: Release): boolean {
  return release.kind !== 'rollback' && acceptedAt(release) !== undefined;
}

/** When the release was accepted here (a rolled-back release was accepted before it was replaced). */
function acceptedAt(release: Release): string | undefined {
  return release.history.find((change: StateChange) => change.state === 'accepted')?.at;
}

function startedAt(release: Release): string {
  return release.startedAt ?? release.createdAt;
}

/**
 * When the environment was known to be failing: a failed deployment's end; for a rolled-back one, the
 * start of the rollback that replaced it (else when it was marked rolled back).
 */
function failureTime(release: Release, deployments: readonly Release[]): string {
  if (release.state === 'failed') return release.finishedAt ?? release.updatedAt;
  const rollback = deployments.find((other) => other.kind === 'rollback' && other.rollbackOf === release.releaseId);
  return rollback ? startedAt(rollback) : (release.history.find((change) => change.state === 'rolled_back')?.at ?? release.updatedAt);
}

/** Nearest-rank percentile: the smallest value with at least `p`% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function dailyCounts(deployments: readonly Release[], from: Date, days: number) {
  const firstDay = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const count = days + 1;
  const daily = Array.from({ length: count }, (_, index) => ({ date: new Date(firstDay + index * DAY_MS).toISOString().slice(0, 10), deployments: 0, failures: 0 }));
  for (const release of deployments) {
    const entry = daily[Math.floor((Date.parse(startedAt(release)) - firstDay) / DAY_MS)];
    if (!entry) continue;
    entry.deployments += 1;
    if (FAILED_STATES.has(release.state)) entry.failures += 1;
  }
  return daily;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
