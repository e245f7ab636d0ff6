import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../core/errors';
import { isTerminal } from '../../core/release-lifecycle';
import { createWorld, sha, type World } from './release-operations-harness';

const REPO = 'sample-service';
const ENV = 'preproduction';
const C1 = sha('one');
const C2 = sha('two');
const C3 = sha('three');

/** Releases of the cell that are not over: the policy allows one. */
async function inFlight(world: World): Promise<string[]> {
  const ids = world.workflows.promotions.map((start) => start.input.releaseId);
  const releases = await Promise.all(ids.map((id) => world.stores.releases.getRelease(id)));
  return releases.filter((release) => release && release.environment === ENV && !isTerminal(release.state)).map((release) => release!.releaseId);
}

async function worldWith(...accepted: string[]): Promise<World> {
  const world = await createWorld();
  for (const commit of accepted) await world.seed.acceptedInIntegration(REPO, commit);
  return world;
}

describe('one release at a time per repository and environment (DynamoDB Local)', () => {
  it('makes one release, one workflow and one approval of twenty identical requests at once', async () => {
    // Prepare
    const world = await worldWith(C1);

    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C1, requestedBy: 'rm' })));

    // Assess
    expect(new Set(answers.map((answer) => answer.releaseId)).size).toBe(1);
    expect(world.workflows.promotions).toHaveLength(1);
    expect(world.workflows.promotions[0]?.input.releaseId).toBe(answers[0]?.releaseId);
    expect(await inFlight(world)).toEqual([answers[0]?.releaseId]);
  });

  it('answers a repeated request while the first is in flight with the same release', async () => {
    const world = await worldWith(C1);
    const first = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C1, requestedBy: 'rm' });

    const again = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C1.slice(0, 7), requestedBy: 'someone else' });

    expect(again.releaseId).toBe(first.releaseId);
    expect(world.workflows.promotions).toHaveLength(1);
  });

  it('starts the workflow of an equal release whose first request died before starting it', async () => {
    // Prepare: the release was recorded, and its caller died before it started the workflow.
    const world = await worldWith(C1);
    const { release } = await world.stores.releases.startExclusive({ releaseId: 'r-0000000000000000dead', repository: REPO, environment: ENV, commit: C1, kind: 'release', requestedBy: 'rm', createdAt: new Date().toISOString() });

    // Act
    const retried = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C1, requestedBy: 'rm' });

    // Assess
    expect(retried.releaseId).toBe(release.releaseId);
    expect(world.workflows.promotions.map((start) => start.name)).toEqual([release.releaseId]);
  });

  it('supersedes a release still waiting for acceptance: it can never be accepted afterwards', async () => {
    // Prepare: C1 deployed in preproduction and waiting for its acceptance.
    const world = await worldWith(C1, C2);
    const first = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C1, requestedBy: 'rm' });
    await world.stores.releases.transitionRelease(first.releaseId, 'deploying', { by: 'codebuild', at: new Date().toISOString() });
    await world.stores.releases.recordDeployment(first.releaseId, { by: 'codebuild', at: new Date().toISOString() });
    const approval = await world.approvals.request({ taskToken: 'token-first', gate: 'accept', releaseId: first.releaseId, timeoutSeconds: 3600 });

    // Act
    const second = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C2, requestedBy: 'rm' });

    // Assess
    expect(second.releaseId).not.toBe(first.releaseId);
    expect(await world.stores.releases.getRelease(first.releaseId)).toMatchObject({ state: 'superseded' });
    await expect(world.stores.releases.markAccepted(first.releaseId, { by: 'qa@example.com', at: new Date().toISOString() })).rejects.toBeInstanceOf(ConflictError);
    await expect(world.approvals.decide({ approvalId: approval.approvalId, decision: 'approve', by: 'qa@example.com', via: 'api' })).rejects.toBeInstanceOf(ConflictError);
    expect(world.workflows.failures).toContainEqual(expect.objectContaining({ taskToken: 'token-first', error: 'Superseded' }));
    expect(await inFlight(world)).toEqual([second.releaseId]);
  });

  it('refuses a different release while one is deploying, naming it (409), and starts nothing', async () => {
    const world = await worldWith(C1, C2);
    const first = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C1, requestedBy: 'rm' });
    await world.stores.releases.transitionRelease(first.releaseId, 'deploying', { by: 'codebuild', at: new Date().toISOString() });

    const refused = world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C2, requestedBy: 'rm' });

    await expect(refused).rejects.toThrow(new RegExp(`release ${first.releaseId} of ${C1.slice(0, 7)} is deploying in ${ENV}`));
    expect(world.workflows.promotions).toHaveLength(1);
  });

  it('holds for any interleaving of release requests, in parallel or one by one (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ commit: fc.constantFrom(C1, C2, C3), parallel: fc.boolean() }), { minLength: 2, maxLength: 6 }),
        async (requests) => {
          const world = await worldWith(C1, C2, C3);
          const made = new Set<string>();
          const ask = async (commit: string) => {
            try {
              made.add((await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: commit, requestedBy: 'rm' })).releaseId);
            } catch (error) {
              if (!(error instanceof ConflictError)) throw error;
            }
          };
          let batch: Array<Promise<void>> = [];
          for (const request of requests) {
            batch.push(ask(request.commit));
            if (!request.parallel) {
              await Promise.all(batch);
              batch = [];
            }
          }
          await Promise.all(batch);

          // Every release it made was started once, and at most one is not over.
          expect(world.workflows.promotions.map((start) => start.input.releaseId).sort()).toEqual([...made].sort());
          expect((await inFlight(world)).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe('a ref that could name two commits', () => {
  it('answers 409 listing both when a tag is named like a short SHA of another commit; tag: or a longer SHA decides', async () => {
    // Prepare: tag "<first 7 of C2>" points at C1.
    const world = await worldWith(C1, C2);
    const lookalike = C2.slice(0, 7);
    await world.seed.tag(REPO, lookalike, C1);

    // Act
    const ambiguous = world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: lookalike, requestedBy: 'rm' });

    // Assess
    await expect(ambiguous).rejects.toBeInstanceOf(ConflictError);
    await expect(ambiguous).rejects.toThrow(new RegExp(`tag ${lookalike} is ${C1.slice(0, 12)}, commit ${C2.slice(0, 12)}`));
    const byTag = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: `tag:${lookalike}`, requestedBy: 'rm' });
    expect((await world.stores.releases.getRelease(byTag.releaseId))?.commit).toBe(C1);
    const bySha = await world.operations.prepareRelease({ repository: REPO, environment: ENV, ref: C2.slice(0, 10), requestedBy: 'rm' });
    expect((await world.stores.releases.getRelease(bySha.releaseId))?.commit).toBe(C2);
  });
});
