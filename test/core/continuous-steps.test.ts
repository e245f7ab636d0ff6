import { beforeAll, describe, expect, it } from 'vitest';
import { ContinuousSteps } from '../../core/continuous-steps';
import { LeaseBusyError } from '../../core/errors';
import { systemClock, type ContinuousInput } from '../../core/ports';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';

const sha = (seed: string) => seed.repeat(40).slice(0, 40);

function push(commit: string): ContinuousInput {
  return { repository: 'svc', environment: 'integration', branch: 'main', commit, message: 'm', author: 'a', requestedBy: 'push:test:1' };
}

describe('ContinuousSteps.claim (DynamoDB Local)', () => {
  let t: TestCmdb;
  beforeAll(async () => {
    t = await createTestCmdb();
  });

  it('checks for a newer push again once it holds the lease, and gives the lease back', async () => {
    // Prepare: a newer commit is pushed while this run waits for (and then takes) the lease.
    const older = push(sha('1'));
    await t.pushes.recordPush({ repository: 'svc', branch: 'main', commit: older.commit, message: 'm', author: 'a', pushedAt: new Date(1000).toISOString() });
    const leases = Object.create(t.leases) as typeof t.leases;
    leases.acquireLease = async (...args) => {
      await t.pushes.recordPush({ repository: 'svc', branch: 'main', commit: sha('2'), message: 'newer', author: 'a', pushedAt: new Date(2000).toISOString(), before: older.commit });
      return t.leases.acquireLease(...args);
    };
    const steps = new ContinuousSteps({ releases: t.releases, pushes: t.pushes, leases, clock: systemClock });
    const { releaseId } = await steps.begin(older);

    // Act
    const { outcome } = await steps.claim({ ...older, releaseId });

    // Assess
    expect(outcome).toBe('superseded');
    expect(await t.releases.getRelease(releaseId)).toMatchObject({ state: 'superseded' });
    await expect(t.leases.acquireLease('svc', 'integration', 'probe', 60, new Date())).resolves.toBeUndefined();
    await t.leases.releaseLease('svc', 'integration', 'probe');
  });

  it('waits (LeaseBusyError) while another run deploys, and stays building', async () => {
    const input = push(sha('3'));
    await t.pushes.recordPush({ repository: 'svc', branch: 'main', commit: input.commit, message: 'm', author: 'a', pushedAt: new Date(3000).toISOString(), before: sha('2') });
    await t.leases.acquireLease('svc', 'integration', 'another-run', 600, new Date());
    const steps = new ContinuousSteps({ releases: t.releases, pushes: t.pushes, leases: t.leases, clock: systemClock });
    const { releaseId } = await steps.begin(input);

    await expect(steps.claim({ ...input, releaseId })).rejects.toBeInstanceOf(LeaseBusyError);

    expect(await t.releases.getRelease(releaseId)).toMatchObject({ state: 'building' });
    await t.leases.releaseLease('svc', 'integration', 'another-run');
    await expect(steps.claim({ ...input, releaseId })).resolves.toEqual({ outcome: 'deploy' });
  });
});

describe('ContinuousSteps.begin (DynamoDB Local)', () => {
  it('makes one release per execution, however often the step runs', async () => {
    const t = await createTestCmdb();
    const steps = new ContinuousSteps({ releases: t.releases, pushes: t.pushes, leases: t.leases, clock: systemClock });
    const execution = { name: 'github-delivery-1-main', startTime: '2026-11-26T12:00:00.000Z' };

    const first = await steps.begin(push(sha('4')), execution);
    const retried = await steps.begin(push(sha('4')), execution);

    expect(retried.releaseId).toBe(first.releaseId);
    expect(await t.releases.getRelease(first.releaseId)).toMatchObject({ state: 'building', history: [{ state: 'prepared' }, { state: 'building' }] });
    expect((await steps.begin(push(sha('4')), { ...execution, name: 'another' })).releaseId).not.toBe(first.releaseId);
  });
});
