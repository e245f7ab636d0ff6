import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killProcessGroup, quote } from './buildspec/command-process';

/** How often the watcher looks whether the process that ran the build is still alive. */
const POLL_SECONDS = 1;

/**
 * Process groups this process started (a build run's commands, DynamoDB Local), and a watcher that kills
 * them if this process dies without doing so itself (a `kill -9`, a crash, an out-of-memory kill): a
 * CodeBuild container dies with its build, and so must the commands a local build started, or they run
 * on as orphans while the restarted local mode hands their deploy lease to somebody else.
 *
 * The watcher is one small `sh`, in its own process group, polling this process's PID; each group's
 * leader PID is appended to `<dir>/process-groups`, which it reads only once this process is gone.
 */
export class ProcessGroupReaper {
  private readonly groups = new Set<number>();
  private readonly file: string;
  private readonly watcher: ReturnType<typeof spawn>;

  /**
   * @param onGroup told of each group as it is added
   * @param options.removeDir the watcher also removes `dir` once it has killed the groups: a scratch
   *   folder nothing else uses (DynamoDB Local's working directory), which this process's own clean-up
   *   would have removed
   */
  constructor(
    dir: string,
    private readonly onGroup?: (pid: number) => void,
    options: { readonly removeDir?: boolean } = {},
  ) {
    this.file = join(dir, 'process-groups');
    writeFileSync(this.file, '');
    const script = [
      `while kill -0 ${process.pid} 2>/dev/null; do sleep ${POLL_SECONDS}; done`,
      'while read -r group; do kill -KILL "-$group" 2>/dev/null; done < "$1"',
      ...(options.removeDir ? ['rm -rf "$2"'] : []),
    ].join('\n');
    this.watcher = spawn('sh', ['-c', script, 'reaper', this.file, dir], { detached: true, stdio: 'ignore' });
    this.watcher.on('error', () => undefined);
    this.watcher.unref();
    // The watcher leads a group of its own: whoever kills the groups in its place kills it too, so that it
    // never kills groups whose ids were given to other processes since.
    if (this.watcher.pid !== undefined) onGroup?.(this.watcher.pid);
  }

  /**
   * Shell lines for a group's leader to run before anything else (a build command's script): it adds its
   * own group to the file, then ends at once if this process is gone already. `add` is told of a group
   * only once `spawn` has returned, and this process may be killed before that, while the shell runs on:
   * with these lines, either the group is in the file before the watcher reads it (this process died
   * after the check), or the shell ends by itself (before).
   */
  selfRegistration(): string {
    return [`echo $$ >> ${quote(this.file)}`, `kill -0 ${process.pid} 2>/dev/null || { echo "the process that started this command (pid ${process.pid}) is gone" >&2; exit 1; }`].join('\n');
  }

  add(pid: number): void {
    this.groups.add(pid);
    appendFileSync(this.file, `${pid}\n`);
    this.onGroup?.(pid);
  }

  /** The work is over: kill what is left of the groups, and the watcher. */
  killAll(): void {
    for (const group of this.groups) killProcessGroup(group);
    killProcessGroup(this.watcher.pid);
  }
}
