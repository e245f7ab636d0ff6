import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { ProcessGroupReaper } from '../process-group-reaper';
import type { RunLog } from './run-log';

/** What one buildspec command needs: the state left by the commands before it. */
export interface CommandInput {
  command: string;
  shell: 'bash' | 'sh';
  cwd: string;
  env: Record<string, string>;
  /** Private folder of the run for the script and the captured state; `id` keeps commands apart. */
  scratchDir: string;
  id: number;
  /** Epoch milliseconds at which the whole run must stop. */
  deadline: number;
  log: RunLog;
  /** Every process group started; the runner kills what is left of them when the run ends. */
  processGroups: Pick<ProcessGroupReaper, 'add' | 'selfRegistration'>;
}

export interface CommandOutcome {
  exitCode: number;
  timedOut: boolean;
  /** The environment and working directory when the command ended; absent if they could not be read. */
  env?: Record<string, string>;
  cwd?: string;
  /** Why the command could not even start. */
  error?: string;
}

/** Variables the shell maintains itself; carrying them over would make them drift (SHLVL grows). */
const SHELL_OWNED = new Set(['_', 'SHLVL', 'PWD']);

/** After the shell exits, how long a background child may keep its output pipe open before we stop reading. */
const DRAIN_GRACE_MS = 1_000;

/**
 * Runs one command the way CodeBuild 0.2 does: in its own shell, starting from the environment and
 * directory the previous command left. An EXIT trap writes `env -0` and `pwd` to files, which the next
 * command starts from. The shell leads its own process group, so a timeout kills everything it started.
 */
export function runCommand(input: CommandInput): Promise<CommandOutcome> {
  if (!existsSync(input.cwd)) {
    return Promise.resolve({ exitCode: 1, timedOut: false, error: `working directory ${input.cwd} no longer exists` });
  }
  const envFile = join(input.scratchDir, `command-${input.id}.env`);
  const pwdFile = join(input.scratchDir, `command-${input.id}.pwd`);
  const script = join(input.scratchDir, `command-${input.id}.sh`);
  writeFileSync(script, wrap(input.command, envFile, pwdFile, input.processGroups.selfRegistration()));

  return new Promise((resolve) => {
    const child = spawn(input.shell, [script], {
      cwd: input.cwd,
      env: { ...input.env, PWD: input.cwd },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) input.processGroups.add(child.pid);
    let timedOut = false;
    let exitCode = 1;
    let drainTimer: NodeJS.Timeout | undefined;
    const killTimer = setTimeout(() => {
      timedOut = true;
      killProcessGroup(child.pid);
    }, Math.max(0, input.deadline - Date.now()));

    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      input.log.flushPartial();
      if (error !== undefined) return resolve({ exitCode: 1, timedOut, error });
      resolve({ exitCode, timedOut, ...readState(envFile, pwdFile) });
    };

    child.stdout.on('data', (chunk: Buffer) => input.log.output(chunk));
    child.stderr.on('data', (chunk: Buffer) => input.log.output(chunk));
    child.on('error', (error) => finish(`could not start ${input.shell}: ${error.message}`));
    child.on('exit', (code, signal) => {
      exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      // A background process (`server &`) may hold the pipe open; do not wait for it forever.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, DRAIN_GRACE_MS);
    });
    child.on('close', () => finish());
  });
}

/** Kills a process group; one that is already gone is fine. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in that group.
  }
}

/**
 * The script around a command. It first adds its process group to those the run's watcher kills (see
 * `ProcessGroupReaper.selfRegistration`). stderr joins stdout so the log keeps their order. The trap runs
 * on every way out (end of script, `exit`, a failing `set -e`), and keeps the command's own exit status.
 */
function wrap(command: string, envFile: string, pwdFile: string, registration: string): string {
  return [
    registration,
    'exec 2>&1',
    '__cot_capture() {',
    '  __cot_status=$?',
    `  env -0 > ${quote(envFile)}`,
    `  pwd > ${quote(pwdFile)}`,
    '  exit "$__cot_status"',
    '}',
    'trap __cot_capture EXIT',
    command,
    '',
  ].join('\n');
}

/** `text` as one word for a POSIX shell. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function readState(envFile: string, pwdFile: string): Pick<CommandOutcome, 'env' | 'cwd'> {
  if (!existsSync(envFile) || !existsSync(pwdFile)) return {};
  const env: Record<string, string> = {};
  for (const entry of readFileSync(envFile, 'utf8').split('\0')) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    const name = entry.slice(0, equals);
    if (!SHELL_OWNED.has(name)) env[name] = entry.slice(equals + 1);
  }
  const cwd = readFileSync(pwdFile, 'utf8').replace(/\n$/, '');
  return cwd ? { env, cwd } : { env };
}
