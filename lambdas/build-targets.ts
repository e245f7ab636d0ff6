import type { CommitTargets } from '../core/workflow-contracts';

/** Where a repository's commits are built, deployed and tested, and where their artifacts live. */
export interface BuildTargets {
  forCommit(repository: string, commit: string): CommitTargets;
}

/** Build targets from the names the stack gives: `projects` by repository, and the artifact bucket. */
export function buildTargets(projects: Readonly<Record<string, { build: string; deploy: string; test: string }>>, bucket: string): BuildTargets {
  return {
    forCommit(repository, commit) {
      const names = projects[repository];
      if (!names) throw new Error(`no build projects for repository ${repository}`);
      const path = `artifacts/${repository}/${commit}`;
      const name = 'artifact.zip';
      return { projects: names, artifact: { bucket, path, name, key: `${path}/${name}`, location: `${bucket}/${path}/${name}` } };
    },
  };
}
