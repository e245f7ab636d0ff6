import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ThreadedBuildspecRunner } from '../../../../adapters/local/buildspec';
import type { BuildspecRun } from '../../../../adapters/local/buildspec';
import { isRunning, liveProcesses, procFile } from '../../../support/processes';
import { buildspecHarness } from './git-fixture';

/**
 * Local mode runs buildspecs on a thread of their own (docs/architecture.md#local-mode): the same runner,
 * the same results, the output streamed back line by line.
 */
const { root, repository, workRoot, runner: inProcess } = buildspecHarness('threaded');
const threaded = new ThreadedBuildspecRunner({ workRoot });
afterAll(() => threaded.close());

const SPEC = ['version: 0.2', 'env:', '  exported-variables: [GREETING]', 'phases:', '  build:', '    commands:', '      - export GREETING="hello $COT_NAME"', '      - echo "$GREETING from $(basename $PWD)"', ''].join('\n');
let runs = 0;

/** Live process-group watchers (`ProcessGroupReaper`) of runs under `workRoot`. */
function watchersOf(workRoot: string): number[] {
  return liveProcesses((pid) => {
    const commandLine = procFile(pid, 'cmdline');
    return commandLine.includes('\0reaper\0') && commandLine.includes(workRoot);
  });
}

/** Polls until `check` answers, for at most 10 s; `explain` tells what was still seen when it gives up. */
async function until<T>(check: () => T | undefined, explain: () => string = () => ''): Promise<T> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const answer = check();
    if (answer !== undefined && answer !== '') return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting${explain()}`);
}

/** Each process's stat line and command line, for a failure's message. */
const described = (pids: number[]) => pids.map((pid) => `\n  ${procFile(pid, 'stat').trim()} :: ${procFile(pid, 'cmdline').replaceAll('\0', ' ')}`).join('');
const runOf = (commit: string, onOutput?: (line: string) => void): BuildspecRun => ({
  repositoryDir: repository.dir,
  commit,
  buildspecPath: 'buildspec.yml',
  variables: { COT_NAME: 'thread' },
  logFile: join(root, 'logs', `threaded-${++runs}.log`),
  timeoutSeconds: 20,
  ...(onOutput ? { onOutput } : {}),
});

describe('ThreadedBuildspecRunner', () => {
  it('answers as the runner in this thread does, and streams the output', async () => {
    const commit = repository.commit({ 'buildspec.yml': SPEC });
    const lines: string[] = [];

    const [there, here] = await Promise.all([threaded.run(runOf(commit, (line) => lines.push(line))), inProcess.run(runOf(commit))]);

    expect(there.status).toBe('SUCCEEDED');
    expect(there.exportedVariables).toEqual({ GREETING: 'hello thread' });
    // The same answer, but for its times and log file.
    const timeless = (result: typeof there) => ({
      ...result,
      logFile: '',
      durationMs: 0,
      phases: result.phases.map((phase) => ({ ...phase, durationMs: 0 })),
      lastLines: result.lastLines.map((line) => line.replace(/^\[Container\] [\d/]+ [\d:.]+ /, '[Container] ')),
    });
    expect(timeless(there)).toEqual(timeless(here));
    expect(lines).toContain('hello thread from src');
  });

  it('runs several builds at once and tells each its own failure', async () => {
    const good = repository.commit({ 'buildspec.yml': SPEC });
    const bad = repository.commit({ 'buildspec.yml': SPEC.replace('echo "$GREETING', 'false && echo "$GREETING').replace('      - export', '      - exit 3\n      - export') });

    const results = await Promise.all([threaded.run(runOf(good)), threaded.run(runOf(bad)), threaded.run(runOf(good))]);

    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(results[1]?.exitCode).toBe(3);
  });

  it('fails the runs under way when its thread stops, kills what they started, and starts a new thread for the next run', async () => {
    const pidFile = join(root, 'slow.pid');
    const slow = repository.commit({ 'buildspec.yml': SPEC.replace('      - export', `      - sleep 30 & echo $! > ${pidFile}; wait\n      - export`) });

    const running = threaded.run(runOf(slow));
    const pid = await until(() => (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()) || undefined);
    await threaded.close();

    // Exit code 0: the thread stopped by itself, once it had killed what the run started (not terminated).
    await expect(running).rejects.toThrow(/thread stopped \(exit code 0\)/);
    // As a CodeBuild container's processes die with it: the command's process group is killed, and so is
    // the run's watcher, which would otherwise kill those group ids again when this process exits.
    await until(() => (isRunning(Number(pid)) ? undefined : true), () => described([Number(pid)]));
    await until(() => (watchersOf(workRoot).length === 0 ? true : undefined), () => `: watchers still running:${described(watchersOf(workRoot))}`);
    expect((await threaded.run(runOf(repository.commit({ 'buildspec.yml': SPEC })))).status).toBe('SUCCEEDED');
  });

  it('starts each thread from one bundled module in the work folder, shared by the runners of that folder', async () => {
    // Prepare: a second runner on the same work folder, as local mode's next start would be.
    const again = new ThreadedBuildspecRunner({ workRoot });
    const commit = repository.commit({ 'buildspec.yml': SPEC });

    // Act
    const results = await Promise.all([threaded.run(runOf(commit)), again.run(runOf(commit))]);
    await again.close();

    // Assess: one module, named by its content, and nothing half-written beside it.
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(readdirSync(join(workRoot, '.thread'))).toEqual([expect.stringMatching(/^buildspec-worker-[0-9a-f]{16}\.mjs$/)]);
  });

  it('removes the module an earlier version of the sources left in a work folder', async () => {
    // Prepare
    const work = join(root, 'upgraded-work');
    mkdirSync(join(work, '.thread'), { recursive: true });
    writeFileSync(join(work, '.thread', 'buildspec-worker-0123456789abcdef.mjs'), 'export {};\n');
    const upgraded = new ThreadedBuildspecRunner({ workRoot: work });

    // Act
    const result = await upgraded.run(runOf(repository.commit({ 'buildspec.yml': SPEC })));
    await upgraded.close();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(readdirSync(join(work, '.thread'))).toEqual([expect.not.stringContaining('0123456789abcdef')]);
  });

  it('fails a run asked for while the runner closes, rather than leaving it waiting', async () => {
    // Prepare
    const closing = new ThreadedBuildspecRunner({ workRoot });

    // Act
    const asked = closing.run(runOf(repository.commit({ 'buildspec.yml': SPEC })));
    await closing.close();

    // Assess
    await expect(asked).rejects.toThrow(/the buildspec runner was closed/);
  });
});
