import type { Provider, RepositoryConfig } from './config';

/** `owner/name` of a repository URL, without a trailing `.git`. GitLab subgroups keep their full path. */
export function ownerAndName(url: string): [string, string] {
  const parts = new URL(url).pathname.replace(/\.git$/, '').split('/').filter(Boolean);
  const name = parts.pop();
  if (!name || parts.length === 0) throw new Error(`cannot read owner/name from repository URL ${url}`);
  return [parts.join('/'), name];
}

/** The git host's page of one commit. */
export function commitUrl(repository: Pick<RepositoryConfig, 'url' | 'provider'>, commit: string): string {
  const paths: Record<Provider, string> = { github: `/commit/${commit}`, gitlab: `/-/commit/${commit}`, bitbucket: `/commits/${commit}` };
  return webRoot(repository) + paths[repository.provider];
}

/** The repository's web address, without a trailing slash or `.git`. */
function webRoot(repository: Pick<RepositoryConfig, 'url'>): string {
  return repository.url.replace(/\/+$/, '').replace(/\.git$/, '');
}

/** The git host's page of the changes from `base` to `head`. */
export function compareUrl(repository: Pick<RepositoryConfig, 'url' | 'provider'>, base: string, head: string): string {
  const root = webRoot(repository);
  const paths: Record<Provider, string> = {
    github: `/compare/${base}...${head}`,
    gitlab: `/-/compare/${base}...${head}`,
    // Bitbucket names the source (the new commit) first: what it adds over the destination.
    bitbucket: `/branches/compare/${head}..${base}`,
  };
  return root + paths[repository.provider];
}
