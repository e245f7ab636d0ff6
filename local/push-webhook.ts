import { createHmac, randomUUID } from 'node:crypto';
import { ownerAndName } from '../core/repository-url';
import type { RepositoryConfig } from '../core/config';

/** What a push webhook needs to know of its repository. */
export type WebhookRepository = Pick<RepositoryConfig, 'name' | 'provider' | 'url'>;

/** One pushed commit, as git reports it after a commit. */
export interface LocalPush {
  readonly branch: string;
  readonly before: string;
  readonly commit: string;
  readonly message: string;
  readonly authorName: string;
  readonly authorEmail: string;
}

export interface SignedWebhook {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The push webhook the repository's git host would send for a commit, signed the way that host signs:
 * GitHub `X-Hub-Signature-256`, GitLab `X-Gitlab-Token`, Bitbucket `X-Hub-Signature` (sha256). Local
 * mode's post-commit hook posts it, so a local commit takes the same path as a real push.
 */
export function pushWebhook(repository: WebhookRepository, push: LocalPush, secret: string): SignedWebhook {
  const [owner, name] = ownerAndName(repository.url);
  const fullName = `${owner}/${name}`;
  const url = repository.url.replace(/\.git$/, '').replace(/\/$/, '');
  const author = { name: push.authorName, email: push.authorEmail };
  const deliveryId = randomUUID();
  const hmac = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  switch (repository.provider) {
    case 'github': {
      const body = JSON.stringify({
        ref: `refs/heads/${push.branch}`,
        before: push.before,
        after: push.commit,
        deleted: false,
        head_commit: { id: push.commit, message: push.message, url: `${url}/commit/${push.commit}`, author },
        pusher: author,
        repository: { html_url: url, full_name: fullName },
      });
      return { path: '/webhooks/github', body, headers: { 'x-github-event': 'push', 'x-github-delivery': deliveryId, 'x-hub-signature-256': hmac(body) } };
    }
    case 'gitlab': {
      const body = JSON.stringify({
        object_kind: 'push',
        ref: `refs/heads/${push.branch}`,
        before: push.before,
        after: push.commit,
        checkout_sha: push.commit,
        user_name: push.authorName,
        user_email: push.authorEmail,
        project: { web_url: url, path_with_namespace: fullName },
        commits: [{ id: push.commit, message: push.message, url: `${url}/-/commit/${push.commit}`, author }],
      });
      return { path: '/webhooks/gitlab', body, headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': deliveryId, 'x-gitlab-token': secret } };
    }
    case 'bitbucket': {
      const target = (hash: string) => ({ hash, message: push.message, author: { raw: `${push.authorName} <${push.authorEmail}>` } });
      const body = JSON.stringify({
        push: { changes: [{ new: { type: 'branch', name: push.branch, target: target(push.commit) }, old: { type: 'branch', name: push.branch, target: target(push.before) } }] },
        actor: { display_name: push.authorName },
        repository: { full_name: fullName, links: { html: { href: url } } },
      });
      return { path: '/webhooks/bitbucket', body, headers: { 'x-event-key': 'repo:push', 'x-request-uuid': deliveryId, 'x-hub-signature': hmac(body) } };
    }
  }
}
