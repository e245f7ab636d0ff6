import { beforeEach, describe, expect, it } from 'vitest';
import type { CmdbStores } from '../../core/cmdb-stores';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors';
import { ReleaseOperations } from '../../core/release-operations';
import { config, createWorld, sha, type World } from './release-operations-harness';

const REPO = 'sample-service';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const [C1, C2, C3] = [sha('one'), sha('two'), sha('three')];

let world: World;
beforeEach(async () => {
  world = await createWorld();
});

/** CMDB stores that count the calls made to them, to show what one use case reads. */
function counted(stores: CmdbStores): { stores: CmdbStores; calls: string[] } {
  const calls: string[] = [];
  const count = <T extends object>(store: T): T =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(property));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const proxies = Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, count(store as object)])) as unknown as CmdbStores;
  return { stores: proxies, calls };
}

describe('status', () => {
  it('lists every configured repository and environment, null where the CMDB has no cell', async () => {
    const status = await world.operations.status();
    expect(status).toEqual({
      environments: ['integration', 'preproduction', 'production'],
      repositories: [
        { name: 'sample-service', environments: { integration: null, preproduction: null, production: null } },
        { name: 'payments', environments: { integration: null, preproduction: null, production: null } },
      ],
      pendingApprovals: [],
    });
  });

  it('shows what runs where, what was accepted, the newest release and pending approvals, from one board read', async () => {
    const integration = await world.seed.acceptedInIntegration(REPO, C1);
    await world.seed.acceptedIn(REPO, 'preproduction', C1);
    const approval = await world.seed.waiting(REPO, 'production', C1, 'approve_deploy');
    const { stores, calls } = counted(world.stores);

    const status = await new ReleaseOperations({ config, releases: stores.releases, pushes: stores.pushes, workflows: world.workflows, clock: world.clock, approvals: world.approvals }).status();

    expect(calls).toEqual(['board']);
    const cells = status.repositories[0]?.environments ?? {};
    expect(cells.integration).toEqual({ commit: C1, acceptedCommit: C1, state: 'accepted', releaseId: integration, updatedAt: expect.any(String), held: false });
    expect(Object.keys(cells.preproduction ?? {}).sort()).toEqual(['acceptedCommit', 'commit', 'held', 'releaseId', 'state', 'updatedAt']);
    expect(cells.production).toEqual({
      commit: null,
      acceptedCommit: null,
      state: 'awaiting_approval',
      releaseId: approval.releaseId,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      held: false,
    });
    expect(status.repositories[1]).toEqual({ name: 'payments', environments: { integration: null, preproduction: null, production: null } });
    expect(status.pendingApprovals).toEqual([
      { id: approval.approvalId, releaseId: approval.releaseId, repository: REPO, environment: 'production', commit: C1, gate: 'approve_deploy', expiresAt: approval.expiresAt },
    ]);
  });

  it('shows a held environment', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.stores.releases.setHeld(REPO, 'integration', true, world.clock.now().toISOString());
    const status = await world.operations.status();
    expect(status.repositories[0]?.environments.integration?.held).toBe(true);
  });
});

describe('history', () => {
  it('pages deployments newest first; continuous runs and releases are deploys, rollbacks are rollbacks', async () => {
    const first = await world.seed.acceptedInIntegration(REPO, C1);
    const second = await world.seed.acceptedInIntegration(REPO, C2);
    await world.seed.push(REPO, C3);
    const rollback = await world.seed.acceptedIn(REPO, 'integration', C1, 'rollback');

    const page1 = await world.operations.history(REPO, 'integration', { limit: 2 });
    expect(page1.items.map((item) => [item.releaseId, item.kind, item.commit])).toEqual([
      [rollback, 'rollback', C1],
      [second, 'deploy', C2],
    ]);
    expect(page1.cursor).toEqual(expect.any(String));
    const page2 = await world.operations.history(REPO, 'integration', { limit: 2, cursor: page1.cursor ?? '' });
    expect(page2.items.map((item) => item.releaseId)).toEqual([first]);
    expect(page2.cursor).toBeNull();
    expect(Object.keys(page2.items[0] ?? {}).sort()).toEqual(['approvals', 'commit', 'finishedAt', 'kind', 'releaseId', 'requestedBy', 'startedAt', 'state'].sort());
    expect(page2.items[0]).toMatchObject({ state: 'accepted', startedAt: expect.any(String), finishedAt: expect.any(String), approvals: [] });
  });

  it('shows a release as a deploy with its decisions', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const approval = await world.seed.waiting(REPO, 'preproduction', C1, 'accept');
    await world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'approve', comment: 'looks good', by: ALICE });

    const { items } = await world.operations.history(REPO, 'preproduction');
    expect(items).toEqual([
      expect.objectContaining({
        releaseId: approval.releaseId,
        kind: 'deploy',
        state: 'awaiting_acceptance',
        finishedAt: null,
        approvals: [{ gate: 'accept', decision: 'approve', by: ALICE, at: expect.any(String), comment: 'looks good' }],
      }),
    ]);
  });

  it.each([
    ['an unknown repository', 'nope', 'integration', {}, NotFoundError],
    ['an unknown environment', REPO, 'staging', {}, NotFoundError],
    ['a foreign cursor', REPO, 'integration', { cursor: 'garbage' }, ValidationError],
    ['a limit over 100', REPO, 'integration', { limit: 101 }, ValidationError],
  ])('refuses %s', async (_what, repository, environment, page, error) => {
    await expect(world.operations.history(repository, environment, page)).rejects.toBeInstanceOf(error);
  });
});

describe('prepareRelease', () => {
  beforeEach(async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.seed.tag(REPO, 'v1.0.0', C1);
  });

  it.each([
    ['a full SHA', C1],
    ['a short SHA', C1.slice(0, 7)],
    ['a tag', 'v1.0.0'],
  ])('releases %s accepted below, and starts the promotion named by the release id', async (_what, ref) => {
    const { releaseId } = await world.operations.prepareRelease({ repository: REPO, environment: 'preproduction', ref, requestedBy: ALICE });

    expect(world.workflows.promotions).toEqual([
      { name: releaseId, input: { releaseId, repository: REPO, environment: 'preproduction', commit: C1, kind: 'release', requestedBy: ALICE } },
    ]);
    expect(await world.stores.releases.getRelease(releaseId)).toMatchObject({ commit: C1, kind: 'release', state: 'prepared', requestedBy: ALICE });
  });

  it('refuses a commit not accepted in the environment directly below: nothing recorded, nothing started', async () => {
    await world.seed.push(REPO, C2);
    await expect(world.operations.prepareRelease({ repository: REPO, environment: 'preproduction', ref: C2, requestedBy: ALICE })).rejects.toThrow(
      new ConflictError(`${C2.slice(0, 7)} is not accepted in integration: only a commit accepted there may be released into preproduction`),
    );
    // Accepted in integration is not enough for production: preproduction is directly below.
    await expect(world.operations.prepareRelease({ repository: REPO, environment: 'production', ref: C1, requestedBy: ALICE })).rejects.toThrow(
      `${C1.slice(0, 7)} is not accepted in preproduction`,
    );
    expect(world.workflows.promotions).toEqual([]);
    expect(await world.stores.releases.boardCell(REPO, 'preproduction')).toBeUndefined();
    expect(await world.stores.releases.boardCell(REPO, 'production')).toBeUndefined();
  });

  it.each([
    ['an unknown ref', 'v9.9.9', ConflictError, /unknown ref "v9\.9\.9"/],
    ['a short SHA of no pushed commit', '0000000', ConflictError, /unknown ref/],
  ])('refuses %s with 409', async (_what, ref, error, message) => {
    const attempt = world.operations.prepareRelease({ repository: REPO, environment: 'preproduction', ref, requestedBy: ALICE });
    await expect(attempt).rejects.toBeInstanceOf(error);
    await expect(attempt).rejects.toThrow(message);
    expect(world.workflows.promotions).toEqual([]);
  });

  it('refuses an ambiguous short SHA with 409', async () => {
    const prefix = 'abcdef1';
    await world.seed.push(REPO, prefix + 'a'.repeat(33));
    await world.seed.push(REPO, prefix + 'b'.repeat(33));
    const attempt = world.operations.prepareRelease({ repository: REPO, environment: 'preproduction', ref: prefix, requestedBy: ALICE });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow(/ambiguous/);
  });

  it('refuses a continuous environment with the reason', async () => {
    const attempt = world.operations.prepareRelease({ repository: REPO, environment: 'integration', ref: C1, requestedBy: ALICE });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow('integration is a continuous environment: every push of main is deployed there; releases go to preproduction, production');
  });

  it.each([
    ['repository', { repository: 'nope', environment: 'preproduction' }],
    ['environment', { repository: REPO, environment: 'staging' }],
  ])('answers 404 for an unknown %s', async (_what, cell) => {
    await expect(world.operations.prepareRelease({ ...cell, ref: C1, requestedBy: ALICE })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('supersedes an older release of the same environment still waiting for approval, and no other', async () => {
    await world.seed.acceptedInIntegration(REPO, C2);
    const older = await world.seed.waiting(REPO, 'preproduction', C1, 'accept');
    await world.seed.acceptedInIntegration('payments', C3);
    const elsewhere = await world.seed.waiting('payments', 'preproduction', C3, 'accept');

    const { releaseId } = await world.operations.prepareRelease({ repository: REPO, environment: 'preproduction', ref: C2, requestedBy: ALICE });

    expect(await world.stores.approvals.getApproval(older.approvalId)).toMatchObject({ status: 'superseded' });
    expect(await world.stores.releases.getRelease(older.releaseId)).toMatchObject({ state: 'superseded' });
    expect(world.workflows.failures).toEqual([{ taskToken: older.taskToken, error: 'Superseded', cause: JSON.stringify({ by: releaseId }) }]);
    expect(await world.stores.approvals.getApproval(elsewhere.approvalId)).toMatchObject({ status: 'pending' });
    expect((await world.operations.status()).pendingApprovals.map((approval) => approval.id)).toEqual([elsewhere.approvalId]);
    expect(world.workflows.promotions.map((start) => start.name)).toEqual([releaseId]);
  });

  it('ends the release failed when its workflow cannot be started', async () => {
    world.workflows.failNextStart = new Error('Step Functions is down');
    await expect(world.operations.prepareRelease({ repository: REPO, environment: 'preproduction', ref: C1, requestedBy: ALICE })).rejects.toThrow('Step Functions is down');
    const cell = await world.stores.releases.boardCell(REPO, 'preproduction');
    expect(await world.stores.releases.getRelease(cell?.releaseId ?? '')).toMatchObject({ state: 'failed', failure: { step: 'workflow' } });
  });
});

describe('rollback', () => {
  it('goes back by default to the newest accepted commit that is not running now, undoing the current release', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const current = await world.seed.acceptedInIntegration(REPO, C2);

    const { releaseId } = await world.operations.rollback({ repository: REPO, environment: 'integration', requestedBy: ALICE });

    expect(world.workflows.promotions).toEqual([
      { name: releaseId, input: { releaseId, repository: REPO, environment: 'integration', commit: C1, kind: 'rollback', requestedBy: ALICE } },
    ]);
    expect(await world.stores.releases.getRelease(releaseId)).toMatchObject({ kind: 'rollback', commit: C1, rollbackOf: current, state: 'prepared' });
  });

  it('does not go back to a commit that a rollback already took out', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const rolledBack = await world.seed.acceptedInIntegration(REPO, C2);
    await world.stores.releases.transitionRelease(rolledBack, 'rolled_back', { by: 'system', at: new Date().toISOString() });
    await world.seed.acceptedInIntegration(REPO, C1);

    const attempt = world.operations.rollback({ repository: REPO, environment: 'integration', requestedBy: ALICE });

    await expect(attempt).rejects.toThrow(/nothing to roll back to/);
    expect(world.workflows.promotions).toEqual([]);
  });

  it('goes back to the last accepted commit when the running one failed its tests', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.seed.acceptedInIntegration(REPO, C2);
    await world.seed.acceptedIn(REPO, 'preproduction', C1);
    await world.seed.deployed(REPO, 'preproduction', C2);
    await world.operations.rollback({ repository: REPO, environment: 'preproduction', requestedBy: ALICE });
    expect(world.workflows.promotions[0]?.input.commit).toBe(C1);
  });

  it('goes back to a named earlier accepted commit, by short SHA', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.seed.acceptedInIntegration(REPO, C2);
    await world.seed.acceptedInIntegration(REPO, C3);
    await world.operations.rollback({ repository: REPO, environment: 'integration', to: C1.slice(0, 8), requestedBy: ALICE });
    expect(world.workflows.promotions[0]?.input).toMatchObject({ commit: C1, kind: 'rollback' });
  });

  it.each([
    ['nothing was ever accepted', async () => undefined, undefined, /nothing to roll back to/],
    ['only the running commit was accepted', async () => void (await world.seed.acceptedInIntegration(REPO, C1)), undefined, /nothing to roll back to/],
    [
      'the named commit was never accepted in this environment',
      async () => {
        await world.seed.acceptedInIntegration(REPO, C1);
        await world.seed.acceptedInIntegration(REPO, C2);
        await world.seed.acceptedIn(REPO, 'preproduction', C2);
      },
      C1,
      new RegExp(`${C1.slice(0, 7)} was never accepted in preproduction`),
    ],
    [
      'the named commit is the one running',
      async () => {
        await world.seed.acceptedInIntegration(REPO, C1);
        await world.seed.acceptedInIntegration(REPO, C2);
      },
      C2,
      /is what runs in integration now/,
    ],
    ['the named ref is unknown', async () => void (await world.seed.acceptedInIntegration(REPO, C1)), 'v0', /unknown ref/],
  ])('refuses with 409 when %s, starting nothing', async (_what, prepare, to, message) => {
    await prepare();
    const environment = to === C1 ? 'preproduction' : 'integration';
    const attempt = world.operations.rollback({ repository: REPO, environment, ...(to ? { to } : {}), requestedBy: ALICE });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow(message);
    expect(world.workflows.promotions).toEqual([]);
  });
});

describe('showRelease', () => {
  it('shows one release with its whole state history', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const approval = await world.seed.waiting(REPO, 'preproduction', C1, 'accept');
    await world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'approve', by: ALICE });

    const shown = await world.operations.showRelease(approval.releaseId);

    expect(shown).toMatchObject({
      releaseId: approval.releaseId,
      repository: REPO,
      environment: 'preproduction',
      commit: C1,
      kind: 'release',
      state: 'awaiting_acceptance',
      requestedBy: 'arn:aws:iam::123456789012:user/seed',
      rollbackOf: null,
      finishedAt: null,
      approvals: [{ approvalId: approval.approvalId, gate: 'accept', decision: 'approve', by: ALICE, at: expect.any(String), comment: null }],
    });
    expect(shown.history.map((change) => change.state)).toEqual(['prepared', 'deploying', 'testing', 'awaiting_acceptance']);
    expect(shown.history[0]).toEqual({ state: 'prepared', at: expect.any(String), by: 'arn:aws:iam::123456789012:user/seed' });
    expect(shown).not.toHaveProperty('failure');
  });

  it('answers 404 for an unknown release', async () => {
    await expect(world.operations.showRelease('r-nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('decideFromApi', () => {
  it('approves as the calling IAM identity, without a typed confirmation, and tells the waiting workflow', async () => {
    const approval = await world.seed.waiting(REPO, 'production', C1, 'approve_deploy');

    const decided = await world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'approve', by: ALICE });

    expect(decided).toEqual({ approvalId: approval.approvalId, releaseId: approval.releaseId, status: 'approved', decidedBy: ALICE, decidedAt: expect.any(String) });
    expect(world.workflows.successes).toEqual([{ taskToken: approval.taskToken, output: { decision: 'approve', by: ALICE } }]);
    expect((await world.stores.releases.getRelease(approval.releaseId))?.approvals).toEqual([expect.objectContaining({ decision: 'approve', by: ALICE })]);
  });

  it('rejects with the reason, and refuses a rejection without one', async () => {
    const approval = await world.seed.waiting(REPO, 'production', C1, 'approve_deploy');
    await expect(world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'reject', by: ALICE })).rejects.toBeInstanceOf(ValidationError);
    const decided = await world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'reject', comment: 'not today', by: ALICE });
    expect(decided.status).toBe('rejected');
    expect(world.workflows.failures).toEqual([{ taskToken: approval.taskToken, error: 'Rejected', cause: JSON.stringify({ by: ALICE, comment: 'not today' }) }]);
  });

  it('decides once: a second decision is a conflict and tells no workflow', async () => {
    const approval = await world.seed.waiting(REPO, 'production', C1, 'approve_deploy');
    await world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'approve', by: ALICE });
    await expect(world.operations.decideFromApi({ approvalId: approval.approvalId, decision: 'reject', comment: 'late', by: 'arn:aws:iam::1:user/bob' })).rejects.toBeInstanceOf(ConflictError);
    expect(world.workflows.successes).toHaveLength(1);
    expect(world.workflows.failures).toEqual([]);
  });

  it('answers 404 for an unknown approval', async () => {
    await expect(world.operations.decideFromApi({ approvalId: 'a-nope', decision: 'approve', by: ALICE })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('resume', () => {
  it('lifts the hold of a continuous environment', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.stores.releases.setHeld(REPO, 'integration', true, world.clock.now().toISOString());
    expect(await world.operations.resume({ repository: REPO, environment: 'integration' })).toEqual({ repository: REPO, environment: 'integration', held: false });
    expect(await world.stores.releases.boardCell(REPO, 'integration')).toMatchObject({ held: false, commit: C1 });
  });

  it('puts no empty cell on the board for an environment the CMDB has nothing of', async () => {
    await world.operations.resume({ repository: 'payments', environment: 'integration' });
    expect(await world.stores.releases.boardCell('payments', 'integration')).toBeUndefined();
  });

  it('answers 404 for an unknown environment', async () => {
    await expect(world.operations.resume({ repository: REPO, environment: 'staging' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
