import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning, liveProcesses, processGroup } from '../support/processes';
import { LocalModeProcess } from './local-mode-process';

/**
 * The deploy step of this commit starts a sleep far longer than the test runs, then writes its shell's
 * PID and waits: once the PID file is there, the sleep is already in the shell's process group.
 */
function sleepingDeployspec(pidFile: string): string {
  return ['version: 0.2', 'phases:', '  build:', '    commands:', `      - sleep 600 & echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile} && wait`, ''].join('\n');
}

/** Live processes in the process group `group` (the step's shell leads its own group). */
const groupMembers = (group: number): number[] => liveProcesses((pid) => processGroup(pid) === group);

type Status = { repositories: Array<{ name: string; environments: Record<string, { commit: string; state: string; releaseId: string } | null> }> };

describe('local mode killed with SIGKILL during a deploy', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cot-sigkill-'));
  const running: LocalModeProcess[] = [];
  afterAll(async () => {
    for (const local of running) await local.kill();
    for (const dir of new Set([scratch, ...running.map((local) => local.dataDir)])) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no step process running, and the next start fails the cut-off release and frees its lease', async () => {
    // Prepare: a push whose deploy step sleeps; local mode is killed while it runs.
    const first = await LocalModeProcess.start();
    running.push(first);
    const pidFile = join(scratch, 'deploy.pid');
    const sleeping = await first.commit('A deploy that takes its time', { 'deployspec.yml': sleepingDeployspec(pidFile) });
    await first.until(async () => existsSync(pidFile), 120_000, 'the deploy step to start');
    const step = Number(readFileSync(pidFile, 'utf8').trim());
    const group = processGroup(step);
    expect(groupMembers(group).length).toBeGreaterThanOrEqual(2); // the step's shell and its sleep

    // Act
    await first.kill();

    // Assess: every process of the step is gone (the reaper polls the dead parent once a second).
    const deadline = Date.now() + 15_000;
    while ((groupMembers(group).length > 0 || isRunning(step)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isRunning(step)).toBe(false);
    expect(groupMembers(group)).toEqual([]);

    // Act: start again on the same data folder.
    const second = await LocalModeProcess.start({ dataDir: first.dataDir });
    running.push(second);

    // Assess: the cut-off release is failed, and the lease is free: the next push deploys and is accepted.
    const cell = async () => (await second.api<Status>('GET', '/api/status')).body.repositories.find((repo) => repo.name === 'sample-service')?.environments.integration;
    expect(await cell()).toMatchObject({ state: 'failed' });
    const failed = await second.api<{ commit: string; state: string; failure?: { message: string } }>('GET', `/api/releases/${(await cell())!.releaseId}`);
    expect(failed.body).toMatchObject({ commit: sleeping, state: 'failed', failure: { message: expect.stringContaining('interrupted') } });
    const next = await second.commit('Back to the real deploy', { 'deployspec.yml': readFileSync('examples/sample-service/deployspec.yml', 'utf8') });
    expect(next).not.toBe(sleeping);
    await second.until(async () => (await cell())?.commit === next && (await cell())?.state === 'accepted', 120_000, 'the next push to be accepted in integration');
  }, 300_000);
});
