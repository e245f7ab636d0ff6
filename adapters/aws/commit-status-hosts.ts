import { Octokit } from '@octokit/core';
import type { CommitState, CommitStatusHost } from '../../core/commit-status';
import { statusContext } from '../../core/commit-status';
import type { Provider } from '../../core/config';
import { ownerAndName } from '../../core/repository-url';

/*
 * The three hosts' status APIs (docs/operations.md#commit-statuses), each called as its documentation
 * says: GitHub "Create a commit status", GitLab "Set the pipeline status of a commit", Bitbucket
 * "Create a build status for a commit". A refusal throws with the host's HTTP status; the caller logs it.
 */

export type Fetch = typeof fetch;

/** GitHub: `POST /repos/{owner}/{repo}/statuses/{sha}` through @octokit/core (also GitHub Enterprise: `apiUrl`). */
export function githubStatuses(options: { fetch?: Fetch } = {}): CommitStatusHost {
  return {
    async setStatus({ repository, token, status, signal }) {
      const [owner, repo] = ownerAndName(repository.url);
      const octokit = new Octokit({ auth: token, baseUrl: repository.commitStatus?.apiUrl ?? 'https://api.github.com', ...(options.fetch ? { request: { fetch: options.fetch } } : {}) });
      await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        owner,
        repo,
        sha: status.commit,
        state: status.state,
        context: statusContext(status.environment),
        description: status.description.slice(0, 140),
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
        headers: { 'X-GitHub-Api-Version': '2022-11-28' },
        ...(signal ? { request: { signal } } : {}),
      });
    },
  };
}

const GITLAB_STATES: Readonly<Record<CommitState, string>> = { pending: 'running', success: 'success', failure: 'failed' };

/** GitLab: `POST /api/v4/projects/:id/statuses/:sha` with `PRIVATE-TOKEN`; the project id is its URL-encoded path. */
export function gitlabStatuses(options: { fetch?: Fetch } = {}): CommitStatusHost {
  const send = options.fetch ?? fetch;
  return {
    async setStatus({ repository, token, status, signal }) {
      const [namespace, name] = ownerAndName(repository.url);
      const api = (repository.commitStatus?.apiUrl ?? new URL(repository.url).origin).replace(/\/$/, '');
      const body = new URLSearchParams({ state: GITLAB_STATES[status.state], name: statusContext(status.environment), description: status.description.slice(0, 255), ...(status.targetUrl ? { target_url: status.targetUrl } : {}) });
      const response = await send(`${api}/api/v4/projects/${encodeURIComponent(`${namespace}/${name}`)}/statuses/${status.commit}`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        ...(signal ? { signal } : {}),
      });
      if (!response.ok) throw new Error(`GitLab answered ${response.status} to a commit status`);
    },
  };
}

const BITBUCKET_STATES: Readonly<Record<CommitState, string>> = { pending: 'INPROGRESS', success: 'SUCCESSFUL', failure: 'FAILED' };

/** Bitbucket Cloud: `POST /2.0/repositories/{workspace}/{repo_slug}/commit/{commit}/statuses/build` with a bearer token. */
export function bitbucketStatuses(options: { fetch?: Fetch } = {}): CommitStatusHost {
  const send = options.fetch ?? fetch;
  return {
    async setStatus({ repository, token, status, signal }) {
      const [workspace, slug] = ownerAndName(repository.url);
      const api = (repository.commitStatus?.apiUrl ?? 'https://api.bitbucket.org').replace(/\/$/, '');
      const response = await send(`${api}/2.0/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}/commit/${status.commit}/statuses/build`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          key: statusContext(status.environment),
          name: statusContext(status.environment),
          state: BITBUCKET_STATES[status.state],
          description: status.description,
          // Bitbucket requires a URL: the release's, or the repository's own page.
          url: status.targetUrl ?? repository.url,
        }),
        ...(signal ? { signal } : {}),
      });
      if (!response.ok) throw new Error(`Bitbucket answered ${response.status} to a build status`);
    },
  };
}

/** One client per host. */
export function commitStatusHosts(options: { fetch?: Fetch } = {}): Readonly<Record<Provider, CommitStatusHost>> {
  return { github: githubStatuses(options), gitlab: gitlabStatuses(options), bitbucket: bitbucketStatuses(options) };
}
