import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../adapters/aws/cmdb-keys';
import { EnvironmentChain } from '../../core/environment-chain';
import { ConflictError } from '../../core/errors';
import { ProductSteps } from '../../core/product-steps';
import { config, createWorld, PRODUCT, sha, type World } from './release-operations-harness';

/*
 * Promotions keep the environment's order and deploy pinned builds like releases of one repository
 * (docs/architecture.md#promotions, #never-backwards; docs/deploy-to-aws.md#artifact-versions): each
 * member is ranked by its commit's acceptance below, refused when older than what its cell runs or
 * accepted, and its deploy and acceptance are conditional on that; a product rollback goes back.
 * Against DynamoDB Local, through the use cases and the workflow's own steps.
 */

const ENV = 'preproduction';
const [S1, S2, S3] = [sha('s1'), sha('s2'), sha('s3')];
const [P1, P2] = [sha('p1'), sha('p2')];
const version = (commit: string) => `v-${commit.slice(0, 12)}`;

async function world(commits: Array<[string, string]>): Promise<World> {
  const w = await createWorld();
  for (const [repository, commit] of commits) await w.seed.acceptedInIntegration(repository, commit, { artifactVersion: version(commit) });
  return w;
}

/** The promotion workflow's Tasks, in order, with its accept gate answered by a person. */
async function runPromotion(w: World, releaseId: string): Promise<void> {
  const steps = new ProductSteps({ ...w.stores, config, clock: w.clock, chain: new EnvironmentChain(config) });
  const run = await steps.begin({ releaseId, environment: ENV, kind: 'release', requestedBy: 'alice', product: true });
  await steps.claim(run);
  for (const member of run.waves.flat()) await steps.memberDeployed(member);
  await steps.tested(run);
  if (run.kind === 'release') await steps.accept(run, { by: 'qa@example.com' });
}

const cell = (w: World, repository: string) => w.stores.releases.boardCell(repository, ENV);

describe('promotions never take an environment back (DynamoDB Local)', () => {
  it('pins each member to the artifact version accepted below and ranks it by that acceptance', async () => {
    const w = await world([['sample-service', S1], ['payments', P1]]);

    const promoted = await w.products.promote({ environment: ENV, requestedBy: 'alice' });

    const members = await Promise.all((await w.stores.releases.getRelease(promoted.releaseId))!.members!.map((member) => w.stores.releases.getRelease(member.releaseId)));
    const [firstAcceptance] = await w.stores.releases.acceptedCommits('sample-service', 'integration', 1);
    for (const member of members) expect(member).toMatchObject({ kind: 'release', artifactVersion: version(member!.commit), rank: expect.any(String) });
    expect(members.find((member) => member?.repository === 'sample-service')?.rank).toBe(firstAcceptance?.acceptedAt);
  });

  it('answers 409 naming the member whose build was never recorded below, and writes nothing', async () => {
    const w = await world([['sample-service', S1]]);
    await w.seed.acceptedInIntegration('payments', P1);

    const refused = w.products.promote({ environment: ENV, requestedBy: 'alice' });

    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(`no artifact version of payments ${P1.slice(0, 7)} was recorded in integration: push the commit again`);
    expect(w.workflows.promotions).toHaveLength(0);
    expect(await cell(w, 'sample-service')).toBeUndefined();
  });

  it('answers 409 naming the member and both commits when its commit is older than what runs there, and writes nothing', async () => {
    // Prepare: S2 released alone into preproduction; then integration is rolled back to S1.
    const w = await world([['sample-service', S1], ['sample-service', S2], ['payments', P1]]);
    const { releaseId } = await w.operations.prepareRelease({ repository: 'sample-service', environment: ENV, ref: S2, requestedBy: 'rm' });
    await w.stores.releases.recordArtifact(releaseId, version(S2));
    for (const to of ['deploying', 'testing', 'awaiting_acceptance', 'accepted'] as const) {
      const at = { by: 'codebuild', at: w.clock.now().toISOString() };
      if (to === 'testing') await w.stores.releases.recordDeployment(releaseId, at);
      else if (to === 'accepted') await w.stores.releases.markAccepted(releaseId, at);
      else await w.stores.releases.transitionRelease(releaseId, to, at);
    }
    await w.seed.acceptedIn('sample-service', 'integration', S1, 'rollback');
    const started = w.workflows.promotions.length;

    // Act
    const refused = w.products.promote({ environment: ENV, requestedBy: 'alice' });

    // Assess: the whole promotion is refused (payments too), and --only leaves sample-service out.
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(`sample-service: ${S1.slice(0, 7)} is older than ${S2.slice(0, 7)}, which runs in ${ENV}`);
    expect(w.workflows.promotions).toHaveLength(started);
    expect(await cell(w, 'sample-service')).toMatchObject({ commit: S2, releaseId });
    expect(await cell(w, 'payments')).toBeUndefined();
    const only = await w.products.promote({ environment: ENV, repositories: ['payments'], requestedBy: 'alice' });
    expect(only.members).toEqual([{ repository: 'payments', commit: P1 }]);
  });

  it('does not let a member deploy or be accepted once something newer ran there, whoever checked before', async () => {
    // Prepare: a promotion of S1 and P1 passed every check; then (concurrent writers) newer commits reach both cells.
    const w = await world([['sample-service', S1], ['payments', P1]]);
    const promoted = await w.products.promote({ environment: ENV, requestedBy: 'alice' });
    const members = (await w.stores.releases.getRelease(promoted.releaseId))!.members!;
    const service = members.find((member) => member.repository === 'sample-service')!;
    const payments = members.find((member) => member.repository === 'payments')!;
    const at = () => ({ by: 'codebuild', at: w.clock.now().toISOString() });
    await w.stores.releases.transitionRelease(payments.releaseId, 'deploying', at());
    await w.stores.releases.recordDeployment(payments.releaseId, at());
    await writeNewer(w, 'sample-service', S3);
    await writeNewer(w, 'payments', P2);

    // Act
    const deploy = w.stores.releases.transitionRelease(service.releaseId, 'deploying', at());
    const accept = w.stores.releases.markAccepted(payments.releaseId, at());

    // Assess: both refusals are awaited together, so neither goes unhandled while the other is checked.
    await Promise.all([
      expect(deploy).rejects.toThrow(`${S1.slice(0, 7)} is older than ${S3.slice(0, 7)}, which runs in ${ENV}`),
      expect(accept).rejects.toThrow(`${P1.slice(0, 7)} is older than ${P2.slice(0, 7)}, which runs in ${ENV}`),
    ]);
    expect((await w.stores.releases.getRelease(service.releaseId))?.state).toBe('prepared');
    expect((await w.stores.releases.getRelease(payments.releaseId))?.state).toBe('testing');
    expect(await cell(w, 'payments')).toMatchObject({ commit: P2, acceptedCommit: P2 });
  });

  it('lets a product rollback go back, recorded as a rollback on the build accepted before, and promotions go forward again', async () => {
    // Prepare: S1 then S2 promoted and accepted in preproduction.
    const w = await world([['sample-service', S1], ['payments', P1]]);
    await runPromotion(w, (await w.products.promote({ environment: ENV, requestedBy: 'alice' })).releaseId);
    await w.seed.acceptedInIntegration('sample-service', S2, { artifactVersion: version(S2) });
    const second = await w.products.promote({ environment: ENV, requestedBy: 'alice' });
    await runPromotion(w, second.releaseId);

    // Act
    const rollback = await w.products.rollbackProduct({ environment: ENV, requestedBy: 'bob' });
    await runPromotion(w, rollback.releaseId);

    // Assess
    const member = (await w.stores.releases.getRelease(rollback.releaseId))!.members![0]!;
    expect(await w.stores.releases.getRelease(rollback.releaseId)).toMatchObject({ kind: 'rollback', state: 'accepted', rollbackOf: second.releaseId });
    expect(await w.stores.releases.getRelease(member.releaseId)).toMatchObject({ kind: 'rollback', commit: S1, state: 'accepted', artifactVersion: version(S1), rank: expect.any(String) });
    expect(await cell(w, 'sample-service')).toMatchObject({ commit: S1, acceptedCommit: S1 });
    const again = await w.products.promote({ environment: ENV, requestedBy: 'alice' });
    expect(again.members).toEqual([{ repository: 'sample-service', commit: S2 }]);
  });
});

/** What a concurrent writer leaves on a cell: a newer commit running and accepted there. */
async function writeNewer(w: World, repository: string, commit: string): Promise<void> {
  const rank = '9999-01-01T00:00:00.000Z';
  await w.table.documentClient.send(
    new UpdateCommand({
      TableName: w.table.tableName,
      Key: keys.board(PRODUCT, repository, ENV),
      UpdateExpression: 'SET #commit = :commit, deployedRank = :rank, acceptedCommit = :commit, acceptedRank = :rank',
      ExpressionAttributeNames: { '#commit': 'commit' },
      ExpressionAttributeValues: { ':commit': commit, ':rank': rank },
    }),
  );
}
