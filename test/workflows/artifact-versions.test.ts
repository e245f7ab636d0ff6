import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { localHarness } from '../support/local-harness';

type Harness = Awaited<ReturnType<typeof localHarness>>;

/** What the sample service deployed in an environment reports of itself (its artifact's version.json). */
function deployed(h: Harness, environment: string): Record<string, unknown> | undefined {
  const file = join(h.dataDir, 'environments', environment, 'sample-service', 'version.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
}

async function artifactVersionOf(h: Harness, releaseId: string): Promise<string | undefined> {
  return (await h.release.stores.releases.getRelease(releaseId))?.artifactVersion;
}

/** Promotes a commit into an approval environment and accepts it there; answers the release id. */
async function accepted(h: Harness, environment: string, commit: string): Promise<string> {
  const { releaseId, result } = await h.prepare(environment, commit);
  if (environment === 'production') await h.decide((await h.pendingApproval(releaseId, 'approve_deploy')).id, 'approve');
  await h.decide((await h.pendingApproval(releaseId, 'accept')).id, 'approve');
  expect((await result).status).toBe('SUCCEEDED');
  return releaseId;
}

describe('artifact versions: what a run built is what every later deploy of it gets (real ASL, DynamoDB Local)', () => {
  let h: Harness;
  let a: string;
  let firstBuild: string;
  beforeAll(async () => {
    h = await localHarness();
    const input = await h.push('Feature A');
    const result = await h.runContinuous(input);
    expect(result.status).toBe('SUCCEEDED');
    a = input.commit;
    firstBuild = String(await artifactVersionOf(h, releaseIdOf(result)));
  }, 60_000);

  it('a promotion deploys the version accepted below, and a rollback the version accepted here, whatever was built since', async () => {
    // Prepare: A reaches preproduction with its first build. Then A is built again (a second run of the
    // same commit), and that build's artifact is made to differ, as a rebuild with another toolchain would.
    const preproduction = await accepted(h, 'preproduction', a);
    const again = await h.release.workflows.startContinuous({ ...inputOf(a), requestedBy: 'push:test:again' }, `rebuild-${a}`);
    const rebuild = await h.release.workflows.execution('continuous', again.executionId)!.result;
    expect(rebuild.status).toBe('SUCCEEDED');
    const secondBuild = String(await artifactVersionOf(h, releaseIdOf(rebuild)));
    const secondDir = join(h.dataDir, 'artifacts', 'sample-service', a, 'versions', secondBuild);
    const file = join(secondDir, 'version.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), rebuilt: true }));

    // Act: A goes on to production; then preproduction gets B and is rolled back to A.
    const production = await accepted(h, 'production', a);
    const b = await h.push('Feature B');
    expect((await h.runContinuous(b)).status).toBe('SUCCEEDED');
    await accepted(h, 'preproduction', b.commit);
    const rollback = await h.prepare('preproduction', a, 'rollback');
    expect((await rollback.result).status).toBe('SUCCEEDED');

    // Assess
    expect(secondBuild).not.toBe(firstBuild);
    expect(h.release.codebuild.listObjectVersions({ Bucket: 'local-artifacts', Prefix: `artifacts/sample-service/${a}/artifact.zip` }).Versions.map((v) => v.VersionId)).toEqual([secondBuild, firstBuild]);
    expect(await h.release.stores.releases.acceptedArtifact('sample-service', 'integration', a)).toBe(secondBuild);
    expect(await artifactVersionOf(h, preproduction)).toBe(firstBuild);
    expect(await artifactVersionOf(h, production)).toBe(firstBuild);
    expect(deployed(h, 'production')).toEqual(expect.objectContaining({ commit: a }));
    expect(deployed(h, 'production')).not.toHaveProperty('rebuilt');
    expect(await artifactVersionOf(h, rollback.releaseId)).toBe(firstBuild);
    expect(deployed(h, 'preproduction')).toEqual(expect.objectContaining({ commit: a }));
    expect(deployed(h, 'preproduction')).not.toHaveProperty('rebuilt');
    // The rebuild itself went to integration as its own version.
    expect(deployed(h, 'integration')).toEqual(expect.objectContaining({ commit: b.commit }));
  }, 180_000);
});

/** The release of a finished continuous run. */
function releaseIdOf(result: object): string {
  return (result as { output: { run: { value: { releaseId: string } } } }).output.run.value.releaseId;
}

function inputOf(commit: string) {
  return { repository: 'sample-service', environment: 'integration', branch: 'main', commit, message: 'Feature A', author: 'Dev <dev@example.com>' };
}
