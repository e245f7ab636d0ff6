/** One CodeBuild-like run of a buildspec against one commit. */
export interface BuildspecRun {
  /** A local git repository (working or bare). */
  repositoryDir: string;
  /** The commit to check out into a fresh workspace: a full SHA (a short SHA or a tag also resolves). */
  commit: string;
  /** Path of the buildspec inside the commit, e.g. `buildspec.yml`. */
  buildspecPath: string;
  /** Given to every command (`COT_*` ...); they win over the buildspec's `env.variables`, as CodeBuild overrides do. */
  variables: Record<string, string>;
  /** Deploy and test runs: the stored artifact of the commit, exposed read-only as a copy in `COT_ARTIFACT_DIR`. */
  artifactInputDir?: string;
  /** Build runs: where the files of `artifacts` go, replacing what was there; only written on success. */
  artifactOutputDir?: string;
  /** Every command's output and a `[Container]` line per phase and command are appended here. */
  logFile: string;
  /** Limit of the whole run; past it every process the run started is killed and the run is TIMED_OUT. */
  timeoutSeconds: number;
  /** Each line of the log as it happens. */
  onOutput?: (line: string) => void;
  /** Told of each process group the run starts (the leader's PID), as it starts it. */
  onProcessGroup?: (pid: number) => void;
}

export type BuildStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

/** CodeBuild's `BuildPhaseType` names, so a result maps onto a CodeBuild `Build` as it is. */
export type PhaseType = 'DOWNLOAD_SOURCE' | 'INSTALL' | 'PRE_BUILD' | 'BUILD' | 'POST_BUILD' | 'UPLOAD_ARTIFACTS';

export interface PhaseReport {
  phaseType: PhaseType;
  phaseStatus: BuildStatus;
  durationMs: number;
}

export interface BuildspecResult {
  status: BuildStatus;
  /** The full SHA that was built, as in `CODEBUILD_RESOLVED_SOURCE_VERSION` (absent if it did not resolve). */
  resolvedCommit?: string;
  /** The first phase that failed or timed out: the cause, even if later phases failed too. */
  failedPhase?: PhaseType;
  /** The command that failed or was running at the timeout. */
  failedCommand?: string;
  exitCode?: number;
  /** One sentence for a person: what failed and why. */
  message?: string;
  phases: PhaseReport[];
  /** `env.exported-variables` that were set at the end of the run. */
  exportedVariables: Record<string, string>;
  logFile: string;
  /** The last lines of the log (at most 20), for the console. */
  lastLines: string[];
  durationMs: number;
}
