import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { liveProcesses, procFile } from '../../support/processes';
import { tempDir } from '../../support/temp-dir';
import { TestRepository } from './buildspec/git-fixture';

/** PIDs of live (not zombie) processes whose environment contains `marker`. */
const processesWith = (marker: string): number[] => liveProcesses((pid) => procFile(pid, 'environ').includes(marker));
/** A process's command line, or '' once it is gone (one listed a moment ago may have exited since). */
const commandLine = (pid: number): string => procFile(pid, 'cmdline');

describe('local processes whose owner is killed with SIGKILL', () => {
  it('a build leaves no process of its commands behind, foreground or background', async () => {
    // Prepare: a build that starts a background "server" and then runs a long command, both marked.
    const root = tempDir('buildspec-orphans');
    const repository = new TestRepository(root);
    const marker = `cot-orphan-${randomUUID()}`;
    const commit = repository.commit({
      'buildspec.yml': ['version: 0.2', 'env:', '  variables:', `    ORPHAN_MARKER: ${marker}`, 'phases:', '  build:', '    commands:', '      - sleep 300 &', '      - sleep 301', ''].join('\n'),
    });
    const script = join(root, 'run-build.mts');
    writeFileSync(
      script,
      [
        `import { BuildspecRunner } from ${JSON.stringify(resolve('adapters/local/buildspec/index.ts'))};`,
        `await new BuildspecRunner({ workRoot: ${JSON.stringify(join(root, 'work'))} }).run({`,
        `  repositoryDir: ${JSON.stringify(repository.dir)}, commit: ${JSON.stringify(commit)}, buildspecPath: 'buildspec.yml',`,
        `  variables: {}, logFile: ${JSON.stringify(join(root, 'build.log'))}, timeoutSeconds: 600,`,
        '});',
      ].join('\n'),
    );
    const runner = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
    await eventually(() => processesWith(marker).some((pid) => commandLine(pid).startsWith('sleep\x00301')), { what: 'both commands running', timeoutMs: 30_000 });

    // Act
    runner.kill('SIGKILL');

    // Assess: within the watcher's poll, every process the build started is gone.
    await eventually(() => processesWith(marker).length === 0, { what: 'the build\'s processes to be killed', timeoutMs: 10_000 });
    expect(processesWith(marker)).toEqual([]);
  }, 60_000);

  it('a process group that adds itself is killed even when its owner dies before telling of it', async () => {
    // Prepare: an owner that starts two shells and, as if killed the moment `spawn` returned, never calls
    // `add`: the first adds its group itself and sleeps; the second does so only once its owner is gone
    // (it waits for a file this test writes then).
    const root = tempDir('reaper-self-registration');
    const marker = `cot-orphan-${randomUUID()}`;
    const late = join(root, 'ran-after-its-owner');
    const ownerGone = join(root, 'owner-gone');
    const script = join(root, 'owner.mts');
    writeFileSync(
      script,
      [
        "import { spawn } from 'node:child_process';",
        `import { ProcessGroupReaper } from ${JSON.stringify(resolve('adapters/local/process-group-reaper.ts'))};`,
        `const reaper = new ProcessGroupReaper(${JSON.stringify(root)});`,
        `const start = (lines: string[]) => spawn('sh', ['-c', lines.join('\\n')], { detached: true, stdio: 'ignore', env: { ...process.env, ORPHAN_MARKER: ${JSON.stringify(marker)} } }).unref();`,
        "start([reaper.selfRegistration(), 'sleep 300']);",
        `start([${JSON.stringify(`while [ ! -e '${ownerGone}' ]; do sleep 0.05; done`)}, reaper.selfRegistration(), ${JSON.stringify(`touch '${late}'`)}, 'sleep 301']);`,
        "process.stdout.write('ready\\n');",
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((ready) => owner.stdout.once('data', ready));
    await eventually(() => processesWith(marker).some((pid) => commandLine(pid).startsWith('sleep\x00300')), { what: 'the first shell sleeping', timeoutMs: 10_000 });

    // Act
    const exited = new Promise((gone) => owner.once('exit', gone));
    owner.kill('SIGKILL');
    await exited;
    writeFileSync(ownerGone, '');

    // Assess: the first group is killed by the watcher; the second shell ends on its own, before its command.
    await eventually(() => processesWith(marker).length === 0, { what: 'both shells to be gone', timeoutMs: 10_000 });
    expect(processesWith(marker)).toEqual([]);
    expect(existsSync(late)).toBe(false);
  }, 60_000);

  it('DynamoDB Local does not outlive the process that started it', async () => {
    // Prepare
    const root = tempDir('buildspec-dynamodb-orphan');
    const marker = `cot-orphan-${randomUUID()}`;
    const script = join(root, 'start-dynamodb.mts');
    writeFileSync(
      script,
      [
        `import { startDynamoDbLocal } from ${JSON.stringify(resolve('adapters/local/dynamodb/dynamodb-local.ts'))};`,
        `process.env.ORPHAN_MARKER = ${JSON.stringify(marker)};`,
        'await startDynamoDbLocal();',
        "process.stdout.write('ready\\n');",
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((ready) => owner.stdout.once('data', ready));
    const java = processesWith(marker).find((pid) => commandLine(pid).startsWith('java'));
    expect(java).toBeDefined();
    // Its scratch working directory, which its owner would have removed on a stop of its own.
    const scratch = readlinkSync(`/proc/${java}/cwd`);
    expect(existsSync(scratch)).toBe(true);

    // Act
    owner.kill('SIGKILL');

    // Assess
    await eventually(() => processesWith(marker).length === 0, { what: 'DynamoDB Local to be killed', timeoutMs: 10_000 });
    expect(processesWith(marker)).toEqual([]);
    await eventually(() => !existsSync(scratch), { what: 'its scratch folder to be removed', timeoutMs: 5_000 });
  }, 60_000);
});
