import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDefinition, validateDefinition } from '../../adapters/local/workflow';
import { releaseTemplate } from '../support/release-template';
import { loadConfig } from '../../core/config-file';
import { eventually } from '../support/eventually';
import { localHarness } from '../support/local-harness';

type Harness = Awaited<ReturnType<typeof localHarness>>;

/** The version the deployed sample service reports. */
function deployedCommit(h: Harness): string | undefined {
  const file = join(h.dataDir, 'environments', 'integration', 'sample-service', 'version.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { commit: string }).commit : undefined;
}

/** Where local mode keeps the artifact version a release recorded (adapters/local/local-codebuild.ts). */
function artifactOf(h: Harness, commit: string, release: { artifactVersion?: string } | undefined): string {
  return join(h.dataDir, 'artifacts', 'sample-service', commit, 'versions', String(release?.artifactVersion));
}

function buildLogs(h: Harness, commit: string): string[] {
  const dir = join(h.dataDir, 'logs', 'sample-service');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(commit.slice(0, 12)) && name.includes('-build-')) : [];
}

describe('continuous deployment workflow, its real ASL run locally against DynamoDB Local', () => {
  let h: Harness;
  let good: string;
  beforeAll(async () => {
    h = await localHarness();
    const first = await h.push('First change');
    const result = await h.runContinuous(first);
    expect(result.status).toBe('SUCCEEDED');
    good = first.commit;
  }, 60_000);

  it('builds once, deploys, records, tests and accepts a push in integration', async () => {
    const board = await h.release.stores.releases.boardCell('sample-service', 'integration');
    const history = await h.release.stores.releases.history('sample-service', 'integration');

    expect(board).toMatchObject({ commit: good, acceptedCommit: good, state: 'accepted', held: false });
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({ commit: good, kind: 'deploy', state: 'accepted' });
    expect(history.items[0]?.history.map((change) => change.state)).toEqual(['prepared', 'building', 'deploying', 'testing', 'accepted']);
    expect(await h.release.stores.releases.isAccepted('sample-service', 'integration', good)).toBe(true);
    expect(deployedCommit(h)).toBe(good);
    expect(history.items[0]?.artifactVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(readFileSync(join(artifactOf(h, good, history.items[0]), 'version.json'), 'utf8'))).toMatchObject({ commit: good });
    expect(buildLogs(h, good)).toHaveLength(1);
    expect(h.release.notifications.at(-1)?.subject).toBe(`sample-service ${good.slice(0, 7)} accepted in integration`);
  });

  it.each([
    ['build', 'FAIL_BUILD', false],
    ['deploy', 'FAIL_DEPLOY', false],
    ['test', 'FAIL_TEST', true],
  ] as const)('records a %s failure with its step, keeps the accepted commit and gives the lease back', async (step, marker, deployed) => {
    // Prepare
    const before = await h.release.stores.releases.boardCell('sample-service', 'integration');
    const input = await h.push(`Break the ${step}`, { [marker]: '' });

    // Act
    const result = await h.runContinuous(input);
    await h.push(`Mend the ${step}`, { [marker]: null });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'ContinuousDeploymentFailed' });
    const history = await h.release.stores.releases.history('sample-service', 'integration');
    const board = await h.release.stores.releases.boardCell('sample-service', 'integration');
    const [newest] = history.items;
    if (step === 'build') {
      expect(newest?.commit).not.toBe(input.commit);
    } else {
      expect(newest).toMatchObject({ commit: input.commit, state: 'failed', failure: { step } });
      expect(newest?.failure?.message).toContain(`${marker} is in this commit`);
      expect(newest?.failure?.logUrl).toMatch(/^file:\/\//);
    }
    expect(board?.acceptedCommit).toBe(before?.acceptedCommit);
    expect(board?.commit).toBe(deployed ? input.commit : before?.commit);
    expect(deployedCommit(h)).toBe(deployed ? input.commit : before?.commit);
    expect(h.release.notifications.at(-1)?.subject).toBe(`sample-service ${input.commit.slice(0, 7)} ${step} failed in integration`);
    await expect(h.release.stores.leases.acquireLease('sample-service', 'integration', 'probe', 60, new Date())).resolves.toBeUndefined();
    await h.release.stores.leases.releaseLease('sample-service', 'integration', 'probe');
  }, 60_000);

  it('records a failed build on its release, with the failing command', async () => {
    const input = await h.push('Break the build again', { FAIL_BUILD: '' });

    const result = await h.runContinuous(input);
    await h.push('Mend the build again', { FAIL_BUILD: null });

    expect(result.status).toBe('FAILED');
    const board = await h.release.stores.releases.board();
    const releaseId = board.entries.find((entry) => entry.environment === 'integration')?.releaseId;
    const release = releaseId ? await h.release.stores.releases.getRelease(releaseId) : undefined;
    expect(release).toMatchObject({ commit: input.commit, state: 'failed', failure: { step: 'build' } });
    expect(release?.failure?.message).toMatch(/^build failed in (PRE_BUILD|BUILD): Error while executing command/);
    expect(existsSync(join(h.dataDir, 'artifacts', 'sample-service', input.commit))).toBe(false);
  }, 60_000);

  it('deploys only the newest of two quick pushes: the older ends superseded', async () => {
    const older = await h.push('Older');
    const newer = await h.push('Newer');

    const [olderResult, newerResult] = await Promise.all([h.runContinuous(older), h.runContinuous(newer)]);

    expect(olderResult.status).toBe('SUCCEEDED');
    expect(newerResult.status).toBe('SUCCEEDED');
    const olderRelease = await h.release.stores.releases.getRelease(releaseIdOf(olderResult));
    expect(olderRelease).toMatchObject({ commit: older.commit, state: 'superseded' });
    expect(olderRelease?.history.at(-1)?.detail).toBe(`a newer commit of main was pushed: ${newer.commit.slice(0, 12)}`);
    const history = await h.release.stores.releases.history('sample-service', 'integration');
    expect(history.items.map((item) => item.commit)).not.toContain(older.commit);
    expect(await h.release.stores.releases.boardCell('sample-service', 'integration')).toMatchObject({ commit: newer.commit, acceptedCommit: newer.commit });
    expect(deployedCommit(h)).toBe(newer.commit);
  }, 60_000);

  it('never runs two deploys in one environment at a time: a newer push waits for the lease', async () => {
    // Prepare: count deploy and test runs in flight.
    let inFlight = 0;
    let most = 0;
    const startBuild = h.release.codebuild.startBuild.bind(h.release.codebuild);
    h.release.codebuild.startBuild = async (project, params) => {
      const busy = !project.endsWith('-build');
      if (busy) most = Math.max(most, ++inFlight);
      try {
        return await startBuild(project, params);
      } finally {
        if (busy) inFlight -= 1;
      }
    };
    const first = await h.push('First of two');
    const running = h.runContinuous(first);
    await eventually(async () => (await h.release.stores.releases.boardCell('sample-service', 'integration'))?.state === 'deploying');

    // Act: a newer push while the first one deploys.
    const second = await h.push('Second of two');
    const results = await Promise.all([running, h.runContinuous(second)]);

    // Assess
    h.release.codebuild.startBuild = startBuild;
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(most).toBe(1);
    const history = await h.release.stores.releases.history('sample-service', 'integration', { limit: 2 });
    expect(history.items.map((item) => [item.commit, item.state])).toEqual([
      [second.commit, 'accepted'],
      [first.commit, 'accepted'],
    ]);
  }, 60_000);

  it('builds but does not deploy while the environment is held', async () => {
    const before = await h.release.stores.releases.boardCell('sample-service', 'integration');
    await h.release.stores.releases.setHeld('sample-service', 'integration', true, new Date().toISOString());
    const input = await h.push('While held');

    const result = await h.runContinuous(input);
    await h.release.stores.releases.setHeld('sample-service', 'integration', false, new Date().toISOString());

    expect(result.status).toBe('SUCCEEDED');
    const board = await h.release.stores.releases.boardCell('sample-service', 'integration');
    expect(board).toMatchObject({ commit: before?.commit, acceptedCommit: before?.acceptedCommit, state: 'built' });
    const release = await h.release.stores.releases.getRelease(board!.releaseId!);
    expect(release?.history.at(-1)).toMatchObject({ state: 'built', detail: 'built, not deployed: integration is held' });
    expect(existsSync(join(artifactOf(h, input.commit, release), 'version.json'))).toBe(true);
  }, 60_000);

  it('is a valid Amazon States Language definition', async () => {
    const template = await releaseTemplate(loadConfig('release.config.yaml'));
    const { definition } = renderDefinition(template, { tag: { key: 'cot:workflow', value: 'continuous' } });

    expect(validateDefinition(definition)).toEqual([]);
    expect(JSON.stringify(definition)).not.toContain('"QueryLanguage":"JSONata"');
  });
});

function releaseIdOf(result: { status: string; output?: unknown }): string {
  return (result.output as { run: { value: { releaseId: string } } }).run.value.releaseId;
}
