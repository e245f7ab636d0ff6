import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ArtifactError, collectArtifacts } from './artifacts';
import { BuildspecError, parseBuildspec, type Buildspec } from './buildspec-schema';
import { runPhases, type PhaseFailure } from './phases';
import { ProcessGroupReaper } from '../process-group-reaper';
import { RunLog } from './run-log';
import type { BuildspecResult, BuildspecRun, PhaseReport, PhaseType } from './types';
import { SourceError, checkoutWorkspace, resolveCommit } from './workspace';

export interface BuildspecRunnerOptions {
  /** Each run gets a private folder here: the checkout, a copy of the input artifact, scratch files. */
  workRoot: string;
  /** Keep each run's folder after it ends, to look into a failed build. @default false */
  keepWorkspaces?: boolean;
  /**
   * The environment every command starts from, before the buildspec's and the run's variables.
   * @default PATH, HOME, USER, LANG and a few more of this process: not its secrets or AWS credentials,
   * since a CodeBuild container does not have them either.
   */
  baseEnvironment?: Record<string, string>;
}

const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'TERM'];

/** Runs CodeBuild buildspec version 0.2 on this machine, in a fresh checkout of one commit. */
export class BuildspecRunner {
  private readonly baseEnvironment: Record<string, string>;
  /** The process groups of the runs under way. */
  private readonly underWay = new Set<ProcessGroupReaper>();

  constructor(private readonly options: BuildspecRunnerOptions) {
    this.baseEnvironment = options.baseEnvironment ?? pick(process.env, INHERITED);
  }

  async run(run: BuildspecRun): Promise<BuildspecResult> {
    const started = Date.now();
    const log = new RunLog(run.logFile, run.onOutput);
    mkdirSync(this.options.workRoot, { recursive: true });
    const runDir = mkdtempSync(join(resolve(this.options.workRoot), 'run-'));
    const session: Session = {
      run,
      log,
      runDir,
      deadline: started + run.timeoutSeconds * 1000,
      started,
      phases: [],
      processGroups: new ProcessGroupReaper(runDir, run.onProcessGroup),
    };
    this.underWay.add(session.processGroups);
    let fields: Partial<BuildspecResult>;
    try {
      fields = await this.execute(session);
      log.header(summary(fields));
    } catch (error) {
      log.header(`Build failed: ${(error as Error).message}`);
      throw error;
    } finally {
      // A CodeBuild container dies with its build: so do the processes a command left in the background.
      session.processGroups.killAll();
      this.underWay.delete(session.processGroups);
      if (!this.options.keepWorkspaces) rmSync(session.runDir, { recursive: true, force: true });
      await log.close();
    }
    return {
      status: 'FAILED',
      exportedVariables: {},
      ...fields,
      phases: session.phases,
      logFile: run.logFile,
      lastLines: log.lastLines(),
      durationMs: Date.now() - started,
    };
  }

  /**
   * Kills the process groups of the runs under way (each command's, with what it left in the background)
   * and their watchers. For a thread that ends in the same turn (`ThreadedBuildspecRunner.close`): the
   * runs' next steps would otherwise go on, a post_build or `finally` command among them.
   */
  killAll(): void {
    for (const groups of this.underWay) groups.killAll();
  }

  private async execute(session: Session): Promise<Partial<BuildspecResult>> {
    const { run, log, runDir, phases } = session;
    const sourceDir = join(runDir, 'src');
    const scratchDir = join(runDir, 'scratch');
    mkdirSync(scratchDir);

    // DOWNLOAD_SOURCE: checkout, buildspec, input artifact. A problem here is the build's failure, as on AWS.
    let phaseStarted = Date.now();
    log.header('Entering phase DOWNLOAD_SOURCE');
    let commit: string | undefined;
    let buildspec: Buildspec;
    let artifactDir: string | undefined;
    try {
      commit = await resolveCommit(run.repositoryDir, run.commit);
      await checkoutWorkspace(run.repositoryDir, commit, sourceDir);
      buildspec = readBuildspec(sourceDir, run.buildspecPath, commit);
      if (run.artifactInputDir !== undefined) artifactDir = copyInputArtifact(run.artifactInputDir, join(runDir, 'artifact'));
    } catch (error) {
      if (!(error instanceof SourceError || error instanceof BuildspecError)) throw error;
      return { ...(commit ? { resolvedCommit: commit } : {}), ...failPhase(session, 'DOWNLOAD_SOURCE', phaseStarted, error.message) };
    }
    completePhase(session, 'DOWNLOAD_SOURCE', phaseStarted);

    const context = {
      shell: buildspec.env?.shell ?? 'bash',
      env: {
        ...this.baseEnvironment,
        ...buildspec.env?.variables,
        ...run.variables,
        ...(artifactDir ? { COT_ARTIFACT_DIR: artifactDir } : {}),
        CODEBUILD_CI: 'true',
        CODEBUILD_BUILD_ID: `local:${randomUUID()}`,
        CODEBUILD_START_TIME: String(session.started),
        CODEBUILD_SRC_DIR: sourceDir,
        CODEBUILD_SOURCE_VERSION: run.commit,
        CODEBUILD_RESOLVED_SOURCE_VERSION: commit,
      },
      cwd: sourceDir,
      scratchDir,
      deadline: session.deadline,
      log,
      processGroups: session.processGroups,
    };
    const outcome = await runPhases(buildspec, context);
    phases.push(...outcome.phases);
    const done = { resolvedCommit: commit, exportedVariables: pick(context.env, buildspec.env?.['exported-variables'] ?? []) };
    if (outcome.failure) return { ...done, ...failure(outcome.failure) };

    // UPLOAD_ARTIFACTS only after a success: a failed build must not leave an artifact that a deploy could pick up.
    if (run.artifactOutputDir !== undefined) {
      phaseStarted = Date.now();
      log.header('Entering phase UPLOAD_ARTIFACTS');
      try {
        const count = buildspec.artifacts ? await collectArtifacts(buildspec.artifacts, sourceDir, run.artifactOutputDir) : emptyArtifact(run.artifactOutputDir);
        log.header(`${count} artifact file(s) stored in ${run.artifactOutputDir}`);
      } catch (error) {
        if (!(error instanceof ArtifactError)) throw error;
        return { ...done, ...failPhase(session, 'UPLOAD_ARTIFACTS', phaseStarted, error.message) };
      }
      completePhase(session, 'UPLOAD_ARTIFACTS', phaseStarted);
    }
    return { ...done, status: 'SUCCEEDED' };
  }
}

/** What one run carries from start to cleanup. */
interface Session {
  run: BuildspecRun;
  log: RunLog;
  runDir: string;
  deadline: number;
  started: number;
  phases: PhaseReport[];
  processGroups: ProcessGroupReaper;
}

function completePhase(session: Session, phaseType: PhaseType, phaseStarted: number): void {
  session.phases.push({ phaseType, phaseStatus: 'SUCCEEDED', durationMs: Date.now() - phaseStarted });
  session.log.header(`Phase complete: ${phaseType} State: SUCCEEDED`);
}

function failPhase(session: Session, phaseType: PhaseType, phaseStarted: number, message: string): Partial<BuildspecResult> {
  session.log.header(message);
  session.phases.push({ phaseType, phaseStatus: 'FAILED', durationMs: Date.now() - phaseStarted });
  session.log.header(`Phase complete: ${phaseType} State: FAILED`);
  return { status: 'FAILED', failedPhase: phaseType, message };
}

function summary(fields: Partial<BuildspecResult>): string {
  const verb = fields.status === 'SUCCEEDED' ? 'succeeded' : fields.status === 'TIMED_OUT' ? 'timed out' : 'failed';
  return `Build ${verb}${fields.message ? `: ${fields.message}` : ''}`;
}

function failure(phaseFailure: PhaseFailure): Partial<BuildspecResult> {
  return {
    status: phaseFailure.timedOut ? 'TIMED_OUT' : 'FAILED',
    failedPhase: phaseFailure.phaseType,
    ...(phaseFailure.command !== undefined ? { failedCommand: phaseFailure.command } : {}),
    ...(phaseFailure.exitCode !== undefined ? { exitCode: phaseFailure.exitCode } : {}),
    message: phaseFailure.message,
  };
}

function readBuildspec(sourceDir: string, buildspecPath: string, commit: string): Buildspec {
  const file = resolve(sourceDir, buildspecPath);
  if (relative(sourceDir, file).startsWith('..')) throw new SourceError(`buildspec path ${buildspecPath} is outside the repository`);
  if (!existsSync(file)) throw new SourceError(`${buildspecPath} not found in commit ${commit}`);
  return parseBuildspec(readFileSync(file, 'utf8'), buildspecPath);
}

/** Commands get their own copy: a deploy that writes into it cannot change the stored artifact. */
function copyInputArtifact(from: string, to: string): string {
  if (!existsSync(from) || !statSync(from).isDirectory()) throw new SourceError(`input artifact ${from} not found`);
  cpSync(from, to, { recursive: true });
  return to;
}

/** A build without `artifacts` still leaves an artifact (empty), so its deploys find one. */
function emptyArtifact(outputDir: string): number {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  return 0;
}

function pick(source: Record<string, string | undefined>, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
