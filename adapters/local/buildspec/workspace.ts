import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The source could not be checked out: unknown commit, not a repository. CodeBuild's DOWNLOAD_SOURCE. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/**
 * Git with the user's hooks and global settings kept out, so a checkout never runs the repository's
 * `post-checkout` hook or a credential helper, and behaves the same on every machine.
 */
async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false', ...args], {
    cwd,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** The full SHA of `commit` (a SHA, a short SHA or a tag) in `repositoryDir`. */
export async function resolveCommit(repositoryDir: string, commit: string): Promise<string> {
  if (!/^[\w./-]+$/.test(commit) || commit.startsWith('-')) throw new SourceError(`"${commit}" is not a commit`);
  try {
    return await git(['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], repositoryDir);
  } catch {
    throw new SourceError(`commit ${commit} not found in ${repositoryDir}`);
  }
}

/**
 * Checks `sha` out into the new folder `workspace`, detached, as a clone that borrows the repository's
 * objects (`--shared`): fast, leaves the repository itself untouched (no worktree metadata to clean up),
 * and keeps a real `.git` so that build scripts may call `git rev-parse HEAD` as they can on CodeBuild.
 */
export async function checkoutWorkspace(repositoryDir: string, sha: string, workspace: string): Promise<void> {
  try {
    await git(['clone', '--quiet', '--shared', '--no-checkout', repositoryDir, workspace]);
    await git(['checkout', '--quiet', '--detach', sha], workspace);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new SourceError(`could not check out ${sha} from ${repositoryDir}: ${detail}`);
  }
}
