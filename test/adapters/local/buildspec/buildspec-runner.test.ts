import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildspecHarness, commandLines } from './git-fixture';
import { isRunning, liveProcesses, procFile } from '../../../support/processes';

const { repository, workRoot, runner, runCommit, runSpec } = buildspecHarness('runner');


/** A buildspec from phase blocks written as YAML lines. */
function spec(...lines: string[]): string {
  return ['version: 0.2', ...lines, ''].join('\n');
}

describe('BuildspecRunner phases', () => {
  it('runs install, pre_build, build and post_build in that order, whatever the order in the file', async () => {
    // Prepare
    const buildspec = spec(
      'phases:',
      '  post_build: { commands: [echo post_build] }',
      '  build: { commands: [echo build] }',
      '  install: { commands: [echo install] }',
      '  pre_build: { commands: [echo pre_build] }',
    );

    // Act
    const result = await runSpec(buildspec);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(commandLines(result.output)).toEqual(['install', 'pre_build', 'build', 'post_build']);
    expect(result.phases.map((phase) => `${phase.phaseType}:${phase.phaseStatus}`)).toEqual([
      'DOWNLOAD_SOURCE:SUCCEEDED',
      'INSTALL:SUCCEEDED',
      'PRE_BUILD:SUCCEEDED',
      'BUILD:SUCCEEDED',
      'POST_BUILD:SUCCEEDED',
    ]);
  });

  it('carries exports and the working directory from one command to the next, across phases', async () => {
    // Prepare
    const buildspec = spec(
      'phases:',
      '  install:',
      '    commands:',
      '      - export GREETING=hello; mkdir -p deep/er',
      '      - cd deep',
      '  build:',
      '    commands:',
      '      - cd er && export GREETING="$GREETING world"',
      '      - echo "$GREETING in ${PWD#$CODEBUILD_SRC_DIR}"',
      '      - echo "shell level $SHLVL"',
      '      - echo "shell level $SHLVL"',
    );

    // Act
    const result = await runSpec(buildspec);

    // Assess
    const lines = commandLines(result.output);
    expect(lines[0]).toBe('hello world in /deep/er');
    expect(lines[1]).toBe(lines[2]);
  });

  it('gives every command the CodeBuild variables, the buildspec variables and the run variables, which win', async () => {
    // Prepare
    const buildspec = spec(
      'env:',
      '  variables: { FROM_SPEC: spec, OVERRIDDEN: spec }',
      'phases:',
      '  build:',
      '    commands:',
      '      - echo "$FROM_SPEC $OVERRIDDEN $COT_COMMIT"',
      '      - echo "$CODEBUILD_RESOLVED_SOURCE_VERSION $CODEBUILD_BUILD_SUCCEEDING"',
      '      - test "$CODEBUILD_SRC_DIR" = "$(pwd)" && test -f "$CODEBUILD_SRC_DIR/buildspec.yml" && echo src ok',
      '      - echo "secret=${COT_WEBHOOK_SECRET:-none}"',
    );
    process.env.COT_WEBHOOK_SECRET = 'must-not-leak';

    // Act
    const result = await runSpec(buildspec, { run: { variables: { OVERRIDDEN: 'run', COT_COMMIT: 'c0ffee' } } });
    delete process.env.COT_WEBHOOK_SECRET;

    // Assess
    expect(commandLines(result.output)).toEqual(['spec run c0ffee', `${result.commit} 1`, 'src ok', 'secret=none']);
    expect(result.resolvedCommit).toBe(result.commit);
  });

  it('runs each command on its own, with bash by default and sh when env.shell says so', async () => {
    // Prepare
    const probe = 'if [ -n "$BASH_VERSION" ]; then echo bash; else echo sh; fi';
    const bash = spec('phases:', '  build:', `    commands: ['${probe}']`);
    const sh = spec('env: { shell: sh }', 'phases:', '  build:', `    commands: ['export X=carried', 'echo $X', '${probe}']`);

    // Act
    const bashResult = await runSpec(bash);
    const shResult = await runSpec(sh);

    // Assess
    expect(commandLines(bashResult.output)).toEqual(['bash']);
    expect(commandLines(shResult.output)).toEqual(['carried', 'sh']);
  });

  it.each([
    {
      name: 'install fails (ABORT): every later phase is skipped',
      phases: { install: 'fail', pre_build: 'ok', build: 'ok', post_build: 'ok' },
      onFailure: {},
      ran: ['install'],
      failedPhase: 'INSTALL',
    },
    {
      name: 'pre_build fails (ABORT): build and post_build are skipped',
      phases: { install: 'ok', pre_build: 'fail', build: 'ok', post_build: 'ok' },
      onFailure: {},
      ran: ['install', 'pre_build'],
      failedPhase: 'PRE_BUILD',
    },
    {
      name: 'build fails (ABORT): post_build still runs, told the build is failing',
      phases: { install: 'ok', pre_build: 'ok', build: 'fail', post_build: 'ok' },
      onFailure: {},
      ran: ['install', 'pre_build', 'build', 'post_build succeeding=0'],
      failedPhase: 'BUILD',
    },
    {
      name: 'pre_build fails (CONTINUE): the next phases run, the run stays failed',
      phases: { install: 'ok', pre_build: 'fail', build: 'ok', post_build: 'ok' },
      onFailure: { pre_build: 'CONTINUE' },
      ran: ['install', 'pre_build', 'build succeeding=0', 'post_build succeeding=0'],
      failedPhase: 'PRE_BUILD',
    },
    {
      name: 'install and build fail (CONTINUE then ABORT): the first failure is the cause',
      phases: { install: 'fail', pre_build: 'ok', build: 'fail', post_build: 'ok' },
      onFailure: { install: 'CONTINUE' },
      ran: ['install', 'pre_build succeeding=0', 'build succeeding=0', 'post_build succeeding=0'],
      failedPhase: 'INSTALL',
    },
    {
      name: 'post_build fails',
      phases: { install: 'ok', pre_build: 'ok', build: 'ok', post_build: 'fail' },
      onFailure: {},
      ran: ['install', 'pre_build', 'build', 'post_build'],
      failedPhase: 'POST_BUILD',
    },
  ])('$name', async ({ phases, onFailure, ran, failedPhase }) => {
    // Prepare: each phase prints its name (and the succeeding flag once it is 0), then fails or not.
    const lines = ['phases:'];
    for (const [phase, outcome] of Object.entries(phases)) {
      lines.push(`  ${phase}:`);
      const mode = (onFailure as Record<string, string>)[phase];
      if (mode) lines.push(`    on-failure: ${mode}`);
      lines.push('    commands:');
      lines.push(`      - 'if [ "$CODEBUILD_BUILD_SUCCEEDING" = 1 ]; then echo ${phase}; else echo "${phase} succeeding=0"; fi'`);
      lines.push(`      - ${outcome === 'fail' ? 'exit 7' : 'true'}`);
    }

    // Act
    const result = await runSpec(spec(...lines));

    // Assess
    expect(result.status).toBe('FAILED');
    expect(commandLines(result.output)).toEqual(ran);
    expect(result).toMatchObject({ failedPhase, failedCommand: 'exit 7', exitCode: 7 });
  });

  it('runs the finally block of a phase whose commands failed, and stops the commands at the failure', async () => {
    // Prepare
    const buildspec = spec(
      'phases:',
      '  build:',
      '    commands: [echo first, "false", echo never]',
      '    finally: [echo "finally succeeding=$CODEBUILD_BUILD_SUCCEEDING"]',
    );

    // Act
    const result = await runSpec(buildspec);

    // Assess
    expect(commandLines(result.output)).toEqual(['first', 'finally succeeding=0']);
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', failedCommand: 'false', exitCode: 1 });
  });

  it('fails the phase when its finally block fails', async () => {
    // Prepare
    const buildspec = spec('phases:', '  build:', '    commands: [echo ok]', '    finally: ["exit 4", echo skipped]');

    // Act
    const result = await runSpec(buildspec);

    // Assess
    expect(commandLines(result.output)).toEqual(['ok']);
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', failedCommand: 'exit 4', exitCode: 4 });
  });

  it('reports the failing command with its last lines of output, at most 20, and writes them to the log file', async () => {
    // Prepare
    const buildspec = spec('phases:', '  build:', '    commands:', '      - |', '        seq 1 50', '        echo "boom" >&2', '        exit 3');

    // Act
    const result = await runSpec(buildspec);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', exitCode: 3 });
    expect(result.failedCommand).toBe('seq 1 50\necho "boom" >&2\nexit 3\n');
    expect(result.message).toBe('Error while executing command: seq 1 50 .... Reason: exit status 3');
    expect(result.lastLines.length).toBeLessThanOrEqual(20);
    expect(result.lastLines).toEqual(expect.arrayContaining(['50', 'boom']));
    const log = readFileSync(result.logFile, 'utf8');
    expect(log).toMatch(/\[Container\] .* Running command seq 1 50/);
    expect(log).toContain('1\n2\n3\n');
    expect(log).toMatch(/Phase complete: BUILD State: FAILED/);
  });

  it('returns the exported variables from the final environment', async () => {
    // Prepare
    const buildspec = spec(
      'env:',
      '  variables: { FIXED: from-spec }',
      '  exported-variables: [FIXED, VERSION, NEVER_SET]',
      'phases:',
      '  build: { commands: [export VERSION=1.2.3] }',
    );

    // Act
    const result = await runSpec(buildspec);

    // Assess
    expect(result.exportedVariables).toEqual({ FIXED: 'from-spec', VERSION: '1.2.3' });
  });

  it('kills the whole process group when the run takes longer than its limit', async () => {
    // Prepare: a background sleep proves that more than the shell is killed.
    const pidFile = join(workRoot, '..', 'background.pid');
    const buildspec = spec('phases:', '  build:', '    commands:', `      - sleep 30 & echo $! > '${pidFile}'; sleep 30`, '      - echo never');

    // Act
    const started = Date.now();
    const result = await runSpec(buildspec, { run: { timeoutSeconds: 1 } });

    // Assess
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ status: 'TIMED_OUT', failedPhase: 'BUILD' });
    expect(result.failedCommand).toContain('sleep 30');
    expect(result.phases.at(-1)).toMatchObject({ phaseType: 'BUILD', phaseStatus: 'TIMED_OUT' });
    const backgroundPid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => isRunning(backgroundPid), { timeout: 2_000 }).toBe(false);
  });

  it('kills what the runs under way started, and their watchers, when told to (its thread is about to stop)', async () => {
    // Prepare: two runs, each with a background sleep.
    const pidFiles = [join(workRoot, '..', 'under-way-1.pid'), join(workRoot, '..', 'under-way-2.pid')];
    const runs = pidFiles.map((pidFile) => runSpec(spec('phases:', '  build:', '    commands:', `      - sleep 30 & echo $! > '${pidFile}'; wait`, '      - echo never')));
    const pidIn = async (pidFile: string) => {
      await expect.poll(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeout: 10_000 }).toBe(true);
      return Number(readFileSync(pidFile, 'utf8'));
    };
    const pids = await Promise.all(pidFiles.map(pidIn));
    const watchers = () => liveProcesses((pid) => procFile(pid, 'cmdline').includes('\0reaper\0') && procFile(pid, 'cmdline').includes(workRoot));
    expect(watchers()).toHaveLength(2);

    // Act
    runner.killAll();

    // Assess: both runs fail at their command, and nothing they started is left.
    for (const result of await Promise.all(runs)) expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD', failedCommand: expect.stringContaining('sleep 30') });
    for (const pid of pids) await expect.poll(() => isRunning(pid), { timeout: 2_000 }).toBe(false);
    await expect.poll(() => watchers(), { timeout: 2_000 }).toEqual([]);
  });
});

describe('BuildspecRunner source', () => {
  it('runs the commit asked for, not the head nor the working tree, in a fresh workspace removed afterwards', async () => {
    // Prepare
    const first = repository.commit({
      'buildspec.yml': spec('phases:', '  build: { commands: [cat version.txt, git rev-parse HEAD, "test ! -e uncommitted.txt && echo clean"] }'),
      'version.txt': 'first\n',
    });
    repository.commit({ 'version.txt': 'second\n' });
    writeFileSync(join(repository.dir, 'uncommitted.txt'), 'not in any commit');

    // Act
    const result = await runCommit(first);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(commandLines(result.output)).toEqual(['first', first, 'clean']);
    expect(readdirSync(workRoot)).toEqual([]);
  });

  it.each([
    ['an unknown commit', { commit: 'f'.repeat(40) }, `commit ${'f'.repeat(40)} not found`],
    ['a missing buildspec', { buildspecPath: 'missing.yml' }, 'missing.yml not found in commit'],
    ['a missing input artifact', { artifactInputDir: '/nonexistent/artifact' }, 'input artifact /nonexistent/artifact not found'],
  ])('fails in DOWNLOAD_SOURCE on %s', async (_case, run, message) => {
    // Act
    const result = await runSpec(spec('phases:', '  build: { commands: ["true"] }'), { run });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'DOWNLOAD_SOURCE' });
    expect(result.message).toContain(message);
    expect(result.lastLines.join('\n')).toContain(message);
  });

  it('fails in DOWNLOAD_SOURCE with the reason when the commit has an unusable buildspec', async () => {
    // Act
    const result = await runSpec(spec('env:', '  parameter-store: { TOKEN: /token }'));

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'DOWNLOAD_SOURCE' });
    expect(result.message).toContain('env.parameter-store is not supported by the local buildspec runner');
  });

  it('hands a deploy a copy of the input artifact, so the stored one never changes', async () => {
    // Prepare
    const stored = join(workRoot, '..', 'stored-artifact');
    const build = await runSpec(spec('phases:', '  build: { commands: ["mkdir out && echo built > out/app.txt"] }', 'artifacts:', '  base-directory: out', '  files: ["**/*"]'), {
      run: { artifactOutputDir: stored },
    });
    expect(build.status).toBe('SUCCEEDED');

    // Act
    const deploy = await runSpec(spec('phases:', '  build: { commands: [cat "$COT_ARTIFACT_DIR/app.txt", echo changed > "$COT_ARTIFACT_DIR/app.txt"] }'), {
      run: { artifactInputDir: stored },
    });

    // Assess
    expect(deploy.status).toBe('SUCCEEDED');
    expect(commandLines(deploy.output)).toEqual(['built']);
    expect(readFileSync(join(stored, 'app.txt'), 'utf8')).toBe('built\n');
  });
});
