import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RepositoryConfig } from '../../core/config';
import type { BuildspecRunner } from './buildspec';
import type { LocalBuildResult } from './workflow';

export type ProjectKind = 'build' | 'deploy' | 'test';

/** The project names local mode gives each repository; the workflows read them from their first step. */
export function localProjectNames(repository: string): Record<ProjectKind, string> {
  return { build: `${repository}-build`, deploy: `${repository}-deploy`, test: `${repository}-test` };
}

/** The StartBuild parameters our state machines send (see lib/codebuild-task.ts). */
const StartBuildParams = z.object({
  SourceVersion: z.string().min(1),
  EnvironmentVariablesOverride: z.array(z.object({ Name: z.string(), Value: z.string(), Type: z.literal('PLAINTEXT').optional() })).default([]),
  ArtifactsOverride: z.object({ Type: z.literal('S3'), Location: z.string(), Path: z.string(), Name: z.string() }).optional(),
  SecondarySourcesOverride: z.array(z.object({ Type: z.literal('S3'), Location: z.string(), SourceIdentifier: z.string() })).optional(),
});

export interface LocalCodeBuildOptions {
  /** The data folder: artifacts in `<data>/artifacts`, logs in `<data>/logs`, deploy targets in `<data>/environments`. */
  readonly dataDir: string;
  readonly runner: BuildspecRunner;
  readonly repositories: readonly RepositoryConfig[];
  /** The local git repository of each configured repository. */
  readonly repositoryDir: (repository: string) => string;
  /** @default 1800 */
  readonly timeoutSeconds?: number;
  /** Live output of every run, line by line. */
  readonly onOutput?: (project: string, line: string) => void;
}

/**
 * CodeBuild's `startBuild.sync` on this machine: runs the project's buildspec from the repository at the
 * commit with the buildspec runner. Artifacts live under `<data>/<ArtifactsOverride.Path>` (that is
 * `<data>/artifacts/<repository>/<commit>`), so every deploy of a commit uses the one artifact its build made.
 */
export class LocalCodeBuild {
  private readonly projects = new Map<string, { repository: RepositoryConfig; kind: ProjectKind }>();

  constructor(private readonly options: LocalCodeBuildOptions) {
    for (const repository of options.repositories) {
      for (const [kind, name] of Object.entries(localProjectNames(repository.name)) as Array<[ProjectKind, string]>) {
        this.projects.set(name, { repository, kind });
      }
    }
  }

  async startBuild(projectName: string, rawParams: unknown): Promise<LocalBuildResult> {
    const project = this.projects.get(projectName);
    if (!project) throw Object.assign(new Error(`Project cannot be found: ${projectName}`), { name: 'CodeBuild.ResourceNotFoundException' });
    const params = StartBuildParams.parse(rawParams);
    const variables = Object.fromEntries(params.EnvironmentVariablesOverride.map((variable) => [variable.Name, variable.Value]));
    const { repository, kind } = project;
    const commit = params.SourceVersion;
    const environment = variables.COT_ENVIRONMENT;
    if (environment) variables.COT_TARGET_DIR = join(this.options.dataDir, 'environments', environment, repository.name);

    const artifactInput = params.SecondarySourcesOverride?.find((source) => source.SourceIdentifier === 'artifact');
    const artifactInputDir = artifactInput ? this.localArtifactDir(artifactInput.Location) : undefined;
    if (artifactInputDir) variables.CODEBUILD_SRC_DIR_artifact = artifactInputDir;
    const artifactOutputDir = params.ArtifactsOverride ? join(this.options.dataDir, params.ArtifactsOverride.Path) : undefined;

    const buildId = `${projectName}:${randomUUID()}`;
    const logDir = join(this.options.dataDir, 'logs', repository.name);
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `${commit.slice(0, 12)}-${environment ?? 'build'}-${kind}-${Date.now()}.log`);
    const spec = kind === 'build' ? repository.buildspec : kind === 'deploy' ? repository.deployspec : repository.testspec;
    const result = await this.options.runner.run({
      repositoryDir: this.options.repositoryDir(repository.name),
      commit,
      buildspecPath: spec,
      variables,
      ...(artifactInputDir ? { artifactInputDir } : {}),
      ...(artifactOutputDir ? { artifactOutputDir } : {}),
      logFile,
      timeoutSeconds: this.options.timeoutSeconds ?? 1800,
      ...(this.options.onOutput ? { onOutput: (line: string) => this.options.onOutput?.(projectName, line) } : {}),
    });
    return {
      Id: buildId,
      BuildStatus: result.status,
      ProjectName: projectName,
      SourceVersion: commit,
      ResolvedSourceVersion: result.resolvedCommit ?? commit,
      Logs: { DeepLink: `file://${logFile}` },
      Phases: result.phases.map((phase) => ({
        PhaseType: phase.phaseType,
        PhaseStatus: phase.phaseStatus,
        DurationInSeconds: Math.round(phase.durationMs / 1000),
        ...(phase.phaseType === result.failedPhase && result.message ? { Contexts: [{ StatusCode: 'COMMAND_EXECUTION_ERROR', Message: result.message }] } : {}),
      })),
      ExportedEnvironmentVariables: Object.entries(result.exportedVariables).map(([Name, Value]) => ({ Name, Value })),
      // Not in CodeBuild's Build: the last lines of the log, for failure messages in local mode.
      ...(result.status === 'SUCCEEDED' ? {} : { LastLines: result.lastLines }),
    };
  }

  /** `<bucket>/artifacts/<repo>/<commit>/artifact.zip` -> `<data>/artifacts/<repo>/<commit>` (kept unzipped locally). */
  private localArtifactDir(location: string): string {
    const key = location.slice(location.indexOf('/') + 1).replace(/\/artifact\.zip$/, '');
    if (key.split('/').includes('..')) throw new Error(`refusing artifact location ${location}`);
    return join(this.options.dataDir, key);
  }
}
