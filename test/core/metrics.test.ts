import { beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStore } from '../../core/cmdb-stores';
import { ValidationError, NotFoundError } from '../../core/errors';
import { newReleaseId } from '../../core/ids';
import { DeliveryMetrics, percentile } from '../../core/metrics';
import type { ReleaseKind } from '../../core/release-lifecycle';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';
import { metricsConfig as config } from './metrics-fixtures';
import { sha } from './release-operations-harness';


const NOW = new Date('2030-01-10T00:00:00.000Z');
const HOUR = 3600;

/**
 * A production history written through the stores as the workflows write it, with times chosen so the
 * answers can be worked out by hand (below, beside each assertion). The window is the 7 days from
 * 2030-01-03T00:00Z to 2030-01-10T00:00Z.
 */
async function seed(t: TestCmdb) {
  const { releases, pushes } = t;
  const pushed = async (repository: string, commit: string, at: string, before?: string) =>
    pushes.recordPush({ repository, branch: 'main', commit, message: commit.slice(0, 7), author: 'dev', pushedAt: at, hostPushedAt: at, ...(before ? { before } : {}) });
  const [c0, c1, c2, c3, a1, a2] = ['c0', 'c1', 'c2', 'c3', 'a1', 'a2'].map(sha) as [string, string, string, string, string, string];
  await pushed('svc', c0, '2030-01-01T00:00:00Z');
  await pushed('svc', c1, '2030-01-03T10:00:00Z', c0);
  await pushed('svc', c2, '2030-01-05T00:00:00Z', c1);
  await pushed('svc', c3, '2030-01-06T00:00:00Z', c2);
  await pushed('api', a1, '2030-01-08T00:00:00Z');
  await pushed('api', a2, '2030-01-09T00:00:00Z', a1);

  const deploy = (repository: string, commit: string, kind: ReleaseKind, startedAt: string, rollbackOf?: string) =>
    started(releases, { repository, commit, kind, startedAt, ...(rollbackOf ? { rollbackOf } : {}) });
  // svc D0: before the window, left out.
  const d0 = await deploy('svc', c0, 'release', '2030-01-02T12:00:00Z');
  await accepted(releases, d0, '2030-01-02T13:00:00Z');
  // svc D1: pushed 01-03 10:00, accepted 01-04 12:00: lead time 26 h.
  const d1 = await deploy('svc', c1, 'release', '2030-01-04T10:00:00Z');
  await accepted(releases, d1, '2030-01-04T12:00:00Z');
  // svc D2: its test fails at 01-05 08:30; D3, a rollback to c1, is accepted at 09:30: restored in 1 h.
  const d2 = await deploy('svc', c2, 'release', '2030-01-05T08:00:00Z');
  await releases.recordDeployment(d2, { by: 'codebuild', at: '2030-01-05T08:10:00Z' });
  await releases.transitionRelease(d2, 'failed', { by: 'codebuild', at: '2030-01-05T08:30:00Z', failure: { step: 'test', message: 'red' } });
  const d3 = await deploy('svc', c1, 'rollback', '2030-01-05T09:00:00Z', d2);
  await accepted(releases, d3, '2030-01-05T09:30:00Z');
  // svc D4: pushed 01-06 00:00, accepted 01-07 06:00 (lead time 30 h), then rolled back by D5, which
  // starts 01-08 00:00 and is accepted 02:00: restored in 2 h.
  const d4 = await deploy('svc', c3, 'release', '2030-01-07T00:00:00Z');
  await accepted(releases, d4, '2030-01-07T06:00:00Z');
  const d5 = await deploy('svc', c1, 'rollback', '2030-01-08T00:00:00Z', d4);
  await accepted(releases, d5, '2030-01-08T02:00:00Z');
  await releases.transitionRelease(d4, 'rolled_back', { by: 'system', at: '2030-01-08T02:00:00Z' });
  // api A1: pushed 01-08 00:00, accepted 01-09 04:00: lead time 28 h.
  const a1Release = await deploy('api', a1, 'release', '2030-01-09T00:00:00Z');
  await accepted(releases, a1Release, '2030-01-09T04:00:00Z');
  // api A2: fails at 01-09 13:00 and nothing has been accepted since: not restored.
  const a2Release = await deploy('api', a2, 'release', '2030-01-09T12:00:00Z');
  await releases.transitionRelease(a2Release, 'failed', { by: 'codebuild', at: '2030-01-09T13:00:00Z', failure: { step: 'deploy', message: 'red' } });
  // An integration run in the window: another environment, not counted in production's.
  const run = await deploy('svc', c3, 'deploy', '2030-01-06T00:10:00Z');
  await accepted(releases, run, '2030-01-06T00:20:00Z');
}

async function started(releases: ReleaseStore, release: { repository: string; commit: string; kind: ReleaseKind; startedAt: string; rollbackOf?: string }) {
  const environment = release.kind === 'deploy' ? 'integration' : 'production';
  const createdAt = new Date(Date.parse(release.startedAt) - 60_000).toISOString();
  const releaseId = newReleaseId(new Date(createdAt));
  const { startedAt, ...rest } = release;
  await releases.createRelease({ ...rest, releaseId, environment, requestedBy: 'alice', createdAt });
  await releases.transitionRelease(releaseId, 'deploying', { by: 'system', at: startedAt });
  return releaseId;
}

async function accepted(releases: ReleaseStore, releaseId: string, at: string) {
  await releases.recordDeployment(releaseId, { by: 'codebuild', at: new Date(Date.parse(at) - 60_000).toISOString() });
  await releases.markAccepted(releaseId, { by: 'rm@example.com', at });
}

describe('delivery metrics over a seeded history (DynamoDB Local)', () => {
  let metrics: DeliveryMetrics;
  beforeAll(async () => {
    const t = await createTestCmdb('acme');
    await seed(t);
    metrics = new DeliveryMetrics({ config, metrics: t.metrics, clock: { now: () => NOW } });
  });

  it('gives the four keys of production worked out by hand', async () => {
    const answer = await metrics.compute({ environment: 'production', days: 7 });
    expect(answer).toMatchObject({ environment: 'production', days: 7, from: '2030-01-03T00:00:00.000Z', to: '2030-01-10T00:00:00.000Z' });
    // D1..D5 of svc and A1, A2 of api; D0 started before the window.
    expect(answer.deploymentFrequency).toEqual({ deployments: 7, perDay: 1 });
    // 26 h, 28 h, 30 h: the median is 28 h; the 90th percentile (nearest rank, ceil(0.9 x 3) = 3rd) is 30 h.
    expect(answer.leadTime).toEqual({ changes: 3, medianSeconds: 28 * HOUR, p90Seconds: 30 * HOUR });
    // D2 failed, D4 rolled back, A2 failed: 3 of 7.
    expect(answer.changeFailureRate).toEqual({ failures: 3, deployments: 7, rate: 0.429 });
    // D2 in 1 h, D4 in 2 h; A2 not yet. Median of [1 h, 2 h] by nearest rank: 1 h.
    expect(answer.timeToRestore).toEqual({ restored: 2, unrestored: 1, medianSeconds: 1 * HOUR });
    expect(answer.daily.filter((day) => day.deployments > 0)).toEqual([
      { date: '2030-01-04', deployments: 1, failures: 0 },
      { date: '2030-01-05', deployments: 2, failures: 1 },
      { date: '2030-01-07', deployments: 1, failures: 1 },
      { date: '2030-01-08', deployments: 1, failures: 0 },
      { date: '2030-01-09', deployments: 2, failures: 1 },
    ]);
    expect(answer.daily.map((day) => day.date)).toEqual(['03', '04', '05', '06', '07', '08', '09', '10'].map((day) => `2030-01-${day}`));
  });

  it('reads the last environment of the chain by default, and any other by name', async () => {
    expect((await metrics.compute({ days: 7 })).deploymentFrequency.deployments).toBe(7);
    const integration = await metrics.compute({ environment: 'integration', days: 7 });
    // The continuous run: pushed 01-06 00:00, accepted 00:20.
    expect(integration.deploymentFrequency).toEqual({ deployments: 1, perDay: 0.143 });
    expect(integration.leadTime).toEqual({ changes: 1, medianSeconds: 20 * 60, p90Seconds: 20 * 60 });
    expect(integration.changeFailureRate.rate).toBe(0);
  });

  it('a shorter window leaves out what started before it', async () => {
    // From 01-08 00:00: D5 (a rollback), A1 and A2; A2 failed and is not restored.
    const answer = await metrics.compute({ environment: 'production', days: 2 });
    expect(answer.deploymentFrequency).toEqual({ deployments: 3, perDay: 1.5 });
    expect(answer.leadTime).toEqual({ changes: 1, medianSeconds: 28 * HOUR, p90Seconds: 28 * HOUR });
    expect(answer.timeToRestore).toEqual({ restored: 0, unrestored: 1, medianSeconds: null });
  });

  it('refuses an unknown environment and a window out of range', async () => {
    await expect(metrics.compute({ environment: 'staging' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(metrics.compute({ days: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(metrics.compute({ days: 366 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('percentile (nearest rank)', () => {
  it.each([
    [[], 50, null],
    [[5], 90, 5],
    [[4, 1, 3, 2], 50, 2],
    [[4, 1, 3, 2], 90, 4],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90, 90],
  ])('%j at %i: %j', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});
