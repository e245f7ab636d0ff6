import type { Provider, RepositoryConfig } from '../config';

/** What an (unverified) body says about where it comes from. */
export interface RepositoryClaim {
  /** Web URL of the repository (GitHub `html_url`, GitLab `web_url`, Bitbucket `links.html.href`). */
  url?: string;
  /** `owner/name` (GitLab: `group/subgroup/name`). */
  fullName?: string;
}

/**
 * `host/path` in lower case, without scheme, credentials, query, trailing `/` or `.git`; undefined for
 * anything that is not an http(s) URL. The scheme is dropped because a self-hosted GitLab may report
 * http:// while the config requires https://; matching only picks which secret to verify with.
 */
export function normaliseRepositoryUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const path = normalisePath(parsed.pathname);
  return path ? `${parsed.host.toLowerCase()}/${path}` : undefined;
}

/** `owner/name` in lower case, as matched against a claim's full name. */
export function normaliseFullName(fullName: string): string | undefined {
  return normalisePath(fullName);
}

function normalisePath(path: string): string | undefined {
  const trimmed = path
    .toLowerCase()
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  return trimmed.length > 0 ? trimmed : undefined;
}

/**
 * The configured repository of this provider that the claim names: by URL first, then by full name
 * (the path of the configured URL), which survives a host that reports a different external URL.
 * A full name that fits several repositories (same path on two hosts) matches none of them.
 * Two repositories with the same URL: the first in config order wins.
 */
export function findRepository(
  repositories: readonly RepositoryConfig[],
  provider: Provider,
  claim: RepositoryClaim,
): RepositoryConfig | undefined {
  const candidates = repositories.filter((repository) => repository.provider === provider);
  const url = claim.url === undefined ? undefined : normaliseRepositoryUrl(claim.url);
  if (url) {
    const byUrl = candidates.find((repository) => normaliseRepositoryUrl(repository.url) === url);
    if (byUrl) return byUrl;
  }
  const fullName = claim.fullName === undefined ? undefined : normaliseFullName(claim.fullName);
  if (!fullName) return undefined;
  const byName = candidates.filter((repository) => configuredFullName(repository) === fullName);
  return byName.length === 1 ? byName[0] : undefined;
}

function configuredFullName(repository: RepositoryConfig): string | undefined {
  const normalised = normaliseRepositoryUrl(repository.url);
  return normalised?.slice(normalised.indexOf('/') + 1);
}
