import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { productHarness } from '../support/product-harness';

type Harness = Awaited<ReturnType<typeof productHarness>>;

/** What a repository's copy in an environment reports of itself (its artifact's version.json). */
function deployed(h: Harness, repository: string, environment: string): Record<string, unknown> | undefined {
  const file = join(h.dataDir, 'environments', environment, repository, 'version.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
}

/** Promotes the product into an environment and accepts it there; answers the promotion's id. */
async function promotedAndAccepted(h: Harness, environment: string): Promise<string> {
  const promoted = await h.products.promote({ environment, requestedBy: 'alice' });
  const approval = await h.pendingApproval(promoted.releaseId, 'accept');
  await h.release.approvals.decide({ approvalId: approval.id, decision: 'approve', by: 'approver@example.com', via: 'api' });
  expect((await h.execution(promoted.releaseId).result).status).toBe('SUCCEEDED');
  return promoted.releaseId;
}

/** The artifact version each member of a promotion was pinned to, by repository. */
async function memberVersions(h: Harness, promotionId: string): Promise<Record<string, string | undefined>> {
  const { releases } = h.release.stores;
  const members = (await releases.getRelease(promotionId))?.members ?? [];
  return Object.fromEntries(await Promise.all(members.map(async (member) => [member.repository, (await releases.getRelease(member.releaseId))?.artifactVersion])));
}

describe('promotions deploy the build accepted below, whatever was built since (real ASL, DynamoDB Local)', () => {
  let h: Harness;
  const first: Record<string, string> = {};
  const firstBuild: Record<string, string | undefined> = {};
  beforeAll(async () => {
    h = await productHarness();
    for (const repository of ['api', 'web', 'worker']) {
      first[repository] = await h.acceptedInIntegration(repository, `${repository}: first feature`);
      firstBuild[repository] = await h.release.stores.releases.acceptedArtifact(repository, 'integration', first[repository] ?? '');
    }
  }, 120_000);

  it('pins each member to the version accepted below, and a product rollback to the versions accepted before', async () => {
    // Prepare: the first set reaches preproduction. Then api's commit is built again, and that build's
    // artifact is made to differ (as a rebuild with another toolchain would); integration accepts it.
    const toPreproduction = await promotedAndAccepted(h, 'preproduction');
    const api = first.api ?? '';
    const input = { repository: 'api', environment: 'integration', branch: 'main', commit: api, message: 'api: first feature', author: 'Dev <dev@example.com>', requestedBy: 'push:test:again' };
    const again = await h.release.workflows.startContinuous(input, `rebuild-${api}`);
    const rebuild = await h.release.workflows.execution('continuous', again.executionId)!.result;
    expect(rebuild.status).toBe('SUCCEEDED');
    const secondBuild = String(await h.release.stores.releases.acceptedArtifact('api', 'integration', api));
    const file = join(h.dataDir, 'artifacts', 'api', api, 'versions', secondBuild, 'version.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), rebuilt: true }));

    // Act: the set goes on to production; then api's next commit is promoted into preproduction, and
    // that promotion is rolled back.
    const toProduction = await promotedAndAccepted(h, 'production');
    const next = await h.acceptedInIntegration('api', 'api: second feature');
    const secondPromotion = await promotedAndAccepted(h, 'preproduction');
    const rollback = await h.products.rollbackProduct({ environment: 'preproduction', requestedBy: 'bob' });
    expect((await h.execution(rollback.releaseId).result).status).toBe('SUCCEEDED');

    // Assess: the rebuild is a version of its own, accepted in integration, and no promotion deployed it.
    expect(secondBuild).not.toBe(firstBuild.api);
    expect(await memberVersions(h, toPreproduction)).toEqual(firstBuild);
    expect(await memberVersions(h, toProduction)).toEqual(firstBuild);
    for (const repository of ['api', 'web', 'worker']) {
      expect(deployed(h, repository, 'production')).toEqual(expect.objectContaining({ commit: first[repository] }));
      expect(deployed(h, repository, 'production')).not.toHaveProperty('rebuilt');
    }
    expect(Object.keys(await memberVersions(h, secondPromotion))).toEqual(['api']);
    expect(await memberVersions(h, rollback.releaseId)).toEqual({ api: firstBuild.api });
    expect(deployed(h, 'api', 'preproduction')).toEqual(expect.objectContaining({ commit: api }));
    expect(deployed(h, 'api', 'preproduction')).not.toHaveProperty('rebuilt');
    expect(next).not.toBe(api);
  }, 300_000);
});
