import { beforeAll, describe, expect, it } from 'vitest';
import type { NewRelease } from '../../core/cmdb';
import { loadConfig } from '../../core/config-file';
import { ContinuousSteps } from '../../core/continuous-steps';
import { EnvironmentChain } from '../../core/environment-chain';
import { ConflictError } from '../../core/errors';
import { newReleaseId } from '../../core/ids';
import { systemClock } from '../../core/ports';
import { NotEligibleError, PromotionSteps } from '../../core/promotion-steps';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';

const COMMIT = 'c'.repeat(40);
const KEY = `artifacts/sample-service/${COMMIT}/artifact.zip`;
const build = { startTime: '2026-11-01T10:00:00.000Z', endTime: '2026-11-01T10:05:00.000Z' };

function release(environment: string, overrides: Partial<NewRelease> = {}): NewRelease {
  return { releaseId: newReleaseId(), repository: 'sample-service', environment, commit: COMMIT, kind: 'release', requestedBy: 'alice', createdAt: new Date().toISOString(), ...overrides };
}

/** A release that deployed, tested and was accepted. */
async function accepted(t: TestCmdb, releaseId: string): Promise<void> {
  const at = new Date().toISOString();
  await t.releases.transitionRelease(releaseId, 'deploying', { by: 'ci', at });
  await t.releases.recordDeployment(releaseId, { by: 'ci', at });
  await t.releases.markAccepted(releaseId, { by: 'ci', at });
}

describe('artifact versions from build to promotion (DynamoDB Local)', () => {
  let t: TestCmdb;
  let promotion: PromotionSteps;
  let continuous: ContinuousSteps;
  beforeAll(async () => {
    t = await createTestCmdb('sample-service');
    promotion = new PromotionSteps({ ...t, chain: new EnvironmentChain(loadConfig('release.config.yaml')), clock: systemClock });
    continuous = new ContinuousSteps({ ...t, clock: systemClock });
  });

  it('records the version a build stored, once, and refuses a build whose version cannot be told', async () => {
    const run = release('integration', { kind: 'deploy' });
    await t.releases.createRelease(run);
    const versions = { Versions: [{ Key: KEY, VersionId: 'v-old', LastModified: '2026-10-01T00:00:00Z' }, { Key: KEY, VersionId: 'v-1', LastModified: '2026-11-01T10:04:00Z' }] };

    expect(await continuous.built({ releaseId: run.releaseId, key: KEY, build, versions })).toEqual({ version: 'v-1' });
    expect(await t.releases.getRelease(run.releaseId)).toMatchObject({ artifactVersion: 'v-1' });
    const twice = { Versions: [...versions.Versions, { Key: KEY, VersionId: 'v-2', LastModified: '2026-11-01T10:04:30Z' }] };
    await expect(continuous.built({ releaseId: run.releaseId, key: KEY, build, versions: twice })).rejects.toBeInstanceOf(ConflictError);
  });

  it('pins a release to the version accepted below and a rollback to the version accepted here', async () => {
    // Prepare: the commit accepted in integration with version v-1.
    const run = release('integration', { kind: 'deploy' });
    await t.releases.createRelease(run);
    await t.releases.recordArtifact(run.releaseId, 'v-1');
    await accepted(t, run.releaseId);

    // Act: release it to preproduction and accept it there; then roll preproduction back to it.
    const toPreproduction = release('preproduction');
    await t.releases.createRelease(toPreproduction);
    const pinned = await promotion.begin({ ...toPreproduction, kind: 'release' });
    await accepted(t, toPreproduction.releaseId);
    const rollback = release('preproduction', { kind: 'rollback' });
    await t.releases.createRelease(rollback);
    const rolledBack = await promotion.begin({ ...rollback, kind: 'rollback' });

    // Assess
    expect(pinned.artifactVersion).toBe('v-1');
    expect(await t.releases.getRelease(toPreproduction.releaseId)).toMatchObject({ artifactVersion: 'v-1' });
    expect(await t.releases.acceptedArtifact('sample-service', 'preproduction', COMMIT)).toBe('v-1');
    expect(rolledBack.artifactVersion).toBe('v-1');
  });

  it('refuses a release whose commit was accepted below without a recorded version', async () => {
    const other = 'd'.repeat(40);
    const run = release('integration', { kind: 'deploy', commit: other });
    await t.releases.createRelease(run);
    await accepted(t, run.releaseId);
    const toPreproduction = release('preproduction', { commit: other });
    await t.releases.createRelease(toPreproduction);

    await expect(promotion.begin({ ...toPreproduction, kind: 'release' })).rejects.toBeInstanceOf(NotEligibleError);

    expect(await t.releases.getRelease(toPreproduction.releaseId)).toMatchObject({
      state: 'failed',
      failure: { step: 'workflow', message: 'no artifact version of ddddddd was recorded in integration: push the commit again to build it' },
    });
  });
});
