/** The local stand-in for a CodeBuild project: runs buildspec 0.2 in a fresh checkout of a commit. */
export { BuildspecRunner, type BuildspecRunnerOptions } from './buildspec-runner';
export { ThreadedBuildspecRunner } from './threaded-runner';
export { BuildspecError, parseBuildspec, type Buildspec } from './buildspec-schema';
export type { BuildStatus, BuildspecResult, BuildspecRun, PhaseReport, PhaseType } from './types';
