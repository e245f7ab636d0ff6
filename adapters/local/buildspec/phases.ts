import { PHASE_NAMES, type Buildspec, type BuildspecPhase, type PhaseName } from './buildspec-schema';
import { runCommand } from './command-process';
import type { ProcessGroupReaper } from '../process-group-reaper';
import type { RunLog } from './run-log';
import type { PhaseReport, PhaseType } from './types';

/** The state commands hand on to each other, and what they all share. */
export interface PhaseContext {
  shell: 'bash' | 'sh';
  env: Record<string, string>;
  cwd: string;
  scratchDir: string;
  deadline: number;
  log: RunLog;
  processGroups: Pick<ProcessGroupReaper, 'add' | 'selfRegistration'>;
}

export interface PhaseFailure {
  phaseType: PhaseType;
  command?: string;
  exitCode?: number;
  timedOut: boolean;
  message: string;
}

export function phaseType(name: PhaseName): PhaseType {
  return name.toUpperCase() as PhaseType;
}

/**
 * Runs install, pre_build, build and post_build with CodeBuild's transitions:
 * - a failing command ends its phase's `commands`; the phase's `finally` still runs;
 * - `on-failure: ABORT` (the default): a failed install or pre_build skips every later phase, a failed
 *   build skips to post_build (CodeBuild always attempts post_build after build);
 * - `on-failure: CONTINUE`: the next phase runs, the run stays failed;
 * - a timeout stops everything, `finally` included (CodeBuild stops the container).
 * `CODEBUILD_BUILD_SUCCEEDING` turns 0 after the first failure. Returns the first failure, the cause.
 */
export async function runPhases(
  buildspec: Buildspec,
  context: PhaseContext,
): Promise<{ phases: PhaseReport[]; failure?: PhaseFailure }> {
  const phases: PhaseReport[] = [];
  let failure: PhaseFailure | undefined;
  let abortedAt: PhaseName | undefined;
  let commandCount = 0;
  const nextId = () => ++commandCount;

  for (const name of PHASE_NAMES) {
    const phase = buildspec.phases?.[name];
    if (!phase) continue;
    if (abortedAt && !(abortedAt === 'build' && name === 'post_build')) {
      context.log.header(`Skipping phase ${phaseType(name)}: an earlier phase failed`);
      continue;
    }
    const started = Date.now();
    const phaseFailure = await runPhase(name, phase, context, failure === undefined, nextId);
    const status = phaseFailure ? (phaseFailure.timedOut ? 'TIMED_OUT' : 'FAILED') : 'SUCCEEDED';
    phases.push({ phaseType: phaseType(name), phaseStatus: status, durationMs: Date.now() - started });
    context.log.header(`Phase complete: ${phaseType(name)} State: ${status}`);
    if (!phaseFailure) continue;
    context.log.header(`Phase context status code: ${phaseFailure.timedOut ? 'TIMEOUT' : 'COMMAND_EXECUTION_ERROR'} Message: ${phaseFailure.message}`);
    failure ??= phaseFailure;
    if (phaseFailure.timedOut) break;
    if ((phase['on-failure'] ?? 'ABORT') === 'ABORT') abortedAt ??= name;
  }
  return failure ? { phases, failure } : { phases };
}

async function runPhase(
  name: PhaseName,
  phase: BuildspecPhase,
  context: PhaseContext,
  succeeding: boolean,
  nextId: () => number,
): Promise<PhaseFailure | undefined> {
  context.log.header(`Entering phase ${phaseType(name)}`);
  const runtimes = Object.entries(phase['runtime-versions'] ?? {});
  if (runtimes.length > 0) {
    context.log.header(
      `runtime-versions ignored by the local runner, this machine's runtimes are used: ${runtimes.map(([runtime, version]) => `${runtime} ${version}`).join(', ')}`,
    );
  }
  const failure = await runBlock(name, phase.commands ?? [], context, succeeding, nextId);
  if (failure?.timedOut) return failure;
  const finallyFailure = await runBlock(name, phase.finally ?? [], context, succeeding && !failure, nextId);
  return failure ?? finallyFailure;
}

async function runBlock(
  name: PhaseName,
  commands: string[],
  context: PhaseContext,
  succeeding: boolean,
  nextId: () => number,
): Promise<PhaseFailure | undefined> {
  for (const command of commands) {
    if (Date.now() >= context.deadline) return timeout(name, command);
    context.log.header(`Running command ${command.trimEnd()}`);
    const outcome = await runCommand({
      command,
      shell: context.shell,
      cwd: context.cwd,
      env: { ...context.env, CODEBUILD_BUILD_SUCCEEDING: succeeding ? '1' : '0' },
      scratchDir: context.scratchDir,
      id: nextId(),
      deadline: context.deadline,
      log: context.log,
      processGroups: context.processGroups,
    });
    if (outcome.env) context.env = outcome.env;
    if (outcome.cwd) context.cwd = outcome.cwd;
    if (outcome.timedOut) return timeout(name, command);
    if (outcome.error !== undefined) {
      return { phaseType: phaseType(name), command, exitCode: outcome.exitCode, timedOut: false, message: `Error while executing command: ${headline(command)}. Reason: ${outcome.error}` };
    }
    if (outcome.exitCode !== 0) {
      context.log.header(`Command did not exit successfully ${command} exit status ${outcome.exitCode}`);
      return {
        phaseType: phaseType(name),
        command,
        exitCode: outcome.exitCode,
        timedOut: false,
        message: `Error while executing command: ${headline(command)}. Reason: exit status ${outcome.exitCode}`,
      };
    }
  }
  return undefined;
}

function timeout(name: PhaseName, command: string): PhaseFailure {
  return { phaseType: phaseType(name), command, timedOut: true, message: `Build timed out while running: ${headline(command)}` };
}

/** The first line of a command, for one-line messages (block commands span several). */
function headline(command: string): string {
  const [first = ''] = command.trim().split('\n');
  return first === command.trim() ? first : `${first} ...`;
}
