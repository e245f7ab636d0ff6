import { describe, expect, it } from 'vitest';
import { newReleaseId } from '../../core/ids';
import { recoverAfterRestart } from '../../local/recover';
import { localHarness } from '../support/local-harness';

describe('local mode after a restart', () => {
  it('fails runs cut off mid-step, frees the deploy lease an older run held, and resumes waits at their gate', async () => {
    // Prepare: as local mode left things when stopped.
    const h = await localHarness();
    const { releases, leases } = h.release.stores;
    const at = () => new Date().toISOString();
    const commit = (await h.push('Waiting for a person')).commit;
    await h.runContinuous({ repository: 'sample-service', environment: 'integration', branch: 'main', commit, message: 'm', author: 'a', requestedBy: 'push:test' });
    const { releaseId: waiting } = await h.prepare('preproduction', commit);
    const approval = await h.pendingApproval(waiting, 'accept');
    h.release.workflows.execution('promotion', waiting)?.abort();
    const older = newReleaseId();
    await releases.createRelease({ releaseId: older, repository: 'sample-service', environment: 'integration', commit: 'a'.repeat(40), kind: 'deploy', requestedBy: 'push', createdAt: at() });
    await releases.transitionRelease(older, 'building', { by: 'codebuild', at: at() });
    await leases.acquireLease('sample-service', 'integration', older, 3600, new Date());
    await releases.transitionRelease(older, 'deploying', { by: 'codebuild', at: at() });
    const newer = newReleaseId();
    await releases.createRelease({ releaseId: newer, repository: 'sample-service', environment: 'integration', commit: 'b'.repeat(40), kind: 'deploy', requestedBy: 'push', createdAt: at() });
    await releases.transitionRelease(newer, 'building', { by: 'codebuild', at: at() });
    const said: string[] = [];

    // Act
    const resumed = await recoverAfterRestart(h.release, (line) => said.push(line));

    // Assess
    expect(resumed).toBe(1);
    expect(await releases.getRelease(older)).toMatchObject({ state: 'failed', failure: { message: 'interrupted: local mode stopped while it ran' } });
    expect(await leases.leaseHolder('sample-service', 'integration')).toBeUndefined();
    expect(said.join('\n')).toContain(older);
    await h.decide(approval.id, 'approve');
    const resumedRun = h.release.workflows.executions('promotion').find((execution) => execution.name.startsWith(`${waiting}-resumed-`));
    expect((await resumedRun?.result)?.status).toBe('SUCCEEDED');
  }, 90_000);
});
