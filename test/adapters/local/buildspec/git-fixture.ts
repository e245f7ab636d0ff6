import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuildspecRunner, type BuildspecResult, type BuildspecRun } from '../../../../adapters/local/buildspec';
import { tempDir } from '../../../support/temp-dir';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** A real git repository in a temp folder; `commit` writes files (null deletes) and returns the new SHA. */
export class TestRepository {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'repo');
    mkdirSync(this.dir, { recursive: true });
    git(this.dir, 'init', '--quiet', '--initial-branch=main');
  }

  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.dir, path);
      if (content === null) {
        rmSync(file, { force: true });
      } else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    git(this.dir, 'add', '--all');
    git(this.dir, 'commit', '--quiet', '--allow-empty', '-m', message);
    return git(this.dir, 'rev-parse', 'HEAD');
  }
}

/** Everything a test needs to run buildspecs: a repository, a runner, and a log per run. */
export function buildspecHarness(prefix: string) {
  const root = tempDir(`buildspec-${prefix}`);
  const repository = new TestRepository(root);
  const workRoot = join(root, 'work');
  const runner = new BuildspecRunner({ workRoot });
  let runs = 0;

  /** Runs the buildspec of an existing commit; `output` collects what `onOutput` saw. */
  async function runCommit(commit: string, run: Partial<BuildspecRun> = {}): Promise<BuildspecResult & { commit: string; output: string[] }> {
    const output: string[] = [];
    const result = await runner.run({
      repositoryDir: repository.dir,
      commit,
      buildspecPath: 'buildspec.yml',
      variables: {},
      logFile: join(root, 'logs', `run-${++runs}.log`),
      timeoutSeconds: 20,
      onOutput: (line) => output.push(line),
      ...run,
    });
    return { ...result, commit, output };
  }

  /** Commits `buildspec.yml` (and `files`), then runs it on that commit. */
  function runSpec(buildspec: string, options: { files?: Record<string, string>; run?: Partial<BuildspecRun> } = {}) {
    return runCommit(repository.commit({ 'buildspec.yml': buildspec, ...options.files }), options.run);
  }

  return { root, repository, workRoot, runner, runCommit, runSpec };
}

/** The command output of a run without the runner's own `[Container]` lines. */
export function commandLines(output: string[]): string[] {
  return output.filter((line) => !line.startsWith('[Container]'));
}
