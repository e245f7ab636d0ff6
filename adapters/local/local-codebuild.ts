import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { RepositoryConfig } from '../../core/config';
import type { BuildspecResult, BuildspecRun } from './buildspec';
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
  SecondarySourcesVersionOverride: z.array(z.object({ SourceIdentifier: z.string(), SourceVersion: z.string().min(1) })).optional(),
});

/** The parameters of S3's ListObjectVersions that the continuous workflow sends (lib/workflow-parts.ts). */
const ListObjectVersionsParams = z.object({ Bucket: z.string(), Prefix: z.string(), MaxKeys: z.number().optional() });

/** One stored version of an artifact key, as S3 lists it. */
interface StoredVersion {
  readonly VersionId: string;
  readonly LastModified: string;
}

export interface LocalCodeBuildOptions {
  /** The data folder: artifacts in `<data>/artifacts`, logs in `<data>/logs`, deploy targets in `<data>/environments`. */
  readonly dataDir: string;
  /** A `BuildspecRunner`, or the same on a thread of its own (`ThreadedBuildspecRunner`). */
  readonly runner: { run(run: BuildspecRun): Promise<BuildspecResult> };
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
 * commit with the buildspec runner. It also stands in for the versioned artifact bucket: each build's
 * artifact is kept (unzipped) as a new version of its key, in `<data>/<ArtifactsOverride.Path>/versions/<id>`
 * with the key's versions listed in `versions.json` beside them, and `listObjectVersions` answers as S3
 * does. A deploy or test reads the version its `SecondarySourcesVersionOverride` names (the latest one
 * without it), so a rebuild of a commit never changes what a promotion of an earlier run deploys.
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
    const artifactVersion = params.SecondarySourcesVersionOverride?.find((source) => source.SourceIdentifier === 'artifact')?.SourceVersion;
    const artifactInputDir = artifactInput ? this.artifactVersionDir(artifactInput.Location, artifactVersion) : undefined;
    if (artifactInputDir) variables.CODEBUILD_SRC_DIR_artifact = artifactInputDir;
    const artifactKeyDir = params.ArtifactsOverride ? this.keyDir(`${params.ArtifactsOverride.Path}/${params.ArtifactsOverride.Name}`) : undefined;
    // S3's version ids are opaque strings; ours are random too, so nothing can be read into them.
    const newVersion = randomUUID().replaceAll('-', '');
    const artifactOutputDir = artifactKeyDir ? join(artifactKeyDir, 'versions', newVersion) : undefined;

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
    // As CodeBuild's upload: only a build that succeeded stores a new version of the key.
    if (artifactKeyDir && result.status === 'SUCCEEDED') this.addVersion(artifactKeyDir, newVersion);
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

  /** S3's `ListObjectVersions` of an artifact key (`Prefix`), newest first, as the Step Functions SDK Task answers. */
  listObjectVersions(rawParams: unknown): { Name: string; Prefix: string; Versions: Array<StoredVersion & { Key: string; IsLatest: boolean }> } {
    const params = ListObjectVersionsParams.parse(rawParams);
    const versions = this.versionsOf(this.keyDir(params.Prefix)).reverse().slice(0, params.MaxKeys ?? 1000);
    return { Name: params.Bucket, Prefix: params.Prefix, Versions: versions.map((version, index) => ({ Key: params.Prefix, ...version, IsLatest: index === 0 })) };
  }

  /** `<bucket>/<key>` at a version (the latest without one) -> the folder that version is kept in. */
  private artifactVersionDir(location: string, version: string | undefined): string {
    const keyDir = this.keyDir(location.slice(location.indexOf('/') + 1));
    const versionId = version ?? this.versionsOf(keyDir).at(-1)?.VersionId;
    const stored = versionId !== undefined && this.versionsOf(keyDir).some((each) => each.VersionId === versionId);
    if (!stored) throw Object.assign(new Error(`no version ${versionId ?? ''} of ${location}`), { name: 'CodeBuild.InvalidInputException' });
    return join(keyDir, 'versions', versionId);
  }

  /** `artifacts/<repo>/<commit>/artifact.zip` -> `<data>/artifacts/<repo>/<commit>`. */
  private keyDir(key: string): string {
    if (key.split('/').includes('..')) throw new Error(`refusing artifact key ${key}`);
    return join(this.options.dataDir, dirname(key));
  }

  /** The versions of a key, oldest first. */
  private versionsOf(keyDir: string): StoredVersion[] {
    const index = join(keyDir, 'versions.json');
    return existsSync(index) ? (JSON.parse(readFileSync(index, 'utf8')) as StoredVersion[]) : [];
  }

  /** Read and written in one go (no await between): two builds of one commit never lose a version. */
  private addVersion(keyDir: string, versionId: string): void {
    const versions = [...this.versionsOf(keyDir), { VersionId: versionId, LastModified: new Date().toISOString() }];
    writeFileSync(join(keyDir, 'versions.json'), `${JSON.stringify(versions, null, 2)}\n`);
  }
}
