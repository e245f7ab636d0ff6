import * as z from 'zod/mini';
import { clip, commitMessage, isRejection, MAX_AUTHOR_LENGTH } from './outcome';
import type { PushEvent } from './outcome';
import { formatPerson, HostTime, order, otherCommits, parseWith, readHeaderFacts, readRef, Sha, WebLink, ZERO_SHA } from './provider';
import type { WebhookProvider } from './provider';
import { verifySharedToken } from './signatures';

/** Just enough of any GitLab body to find the project, read before the token is checked. */
export const GitlabRepositoryClaim = z.object({
  project: z.nullish(z.object({ web_url: z.optional(z.string().check(z.maxLength(2048))), path_with_namespace: z.optional(z.string().check(z.maxLength(512))) })),
});
export type GitlabRepositoryClaim = z.infer<typeof GitlabRepositoryClaim>;

const GitlabCommit = z.object({
  id: Sha,
  message: z.string(),
  url: WebLink,
  author: z.object({ name: z.nullish(z.string()), email: z.nullish(z.string()) }),
  timestamp: HostTime,
});

/**
 * Push Hook and Tag Push Hook bodies (https://docs.gitlab.com/user/project/integrations/webhook_events/).
 * `commits` holds at most 20 commits, so the head commit may be missing from it.
 */
export const GitlabPush = z.object({
  ref: z.string().check(z.maxLength(1024)),
  before: Sha,
  /** All zeros when the ref was deleted. */
  after: Sha,
  /** The commit the ref now points at (for an annotated tag `after` is the tag object); null on deletion. */
  checkout_sha: z.nullish(Sha),
  user_name: z.nullish(z.string()),
  user_email: z.nullish(z.string()),
  project: z.object({ web_url: z.string(), path_with_namespace: z.string() }),
  commits: z._default(z.array(GitlabCommit), []),
});
export type GitlabPush = z.infer<typeof GitlabPush>;

const PUSH_EVENTS = new Set(['Push Hook', 'Tag Push Hook']);

export const gitlab: WebhookProvider = {
  name: 'gitlab',

  readHeaders: (headers) =>
    readHeaderFacts(headers, {
      event: 'x-gitlab-event',
      // Idempotency-Key (GitLab 17.4+) stays the same across retries, which is what makes a redelivery
      // a no-op; X-Gitlab-Event-UUID is the id older versions send.
      delivery: ['idempotency-key', 'x-gitlab-event-uuid'],
      signature: 'x-gitlab-token',
    }),

  // GitLab has no ping: its "Test" button sends a Push Hook made from the latest push.
  eventKind: (event) => (PUSH_EVENTS.has(event) ? 'push' : 'other'),

  claim(payload) {
    const parsed = parseWith(GitlabRepositoryClaim, payload, 'project');
    if (isRejection(parsed)) return parsed;
    if (!parsed.project) return undefined;
    return { url: parsed.project.web_url, fullName: parsed.project.path_with_namespace };
  },

  verify: async (secret, _body, token) => verifySharedToken(secret, token),

  pushEvents(payload, { repository, deliveryId }) {
    const push = parseWith(GitlabPush, payload, 'push');
    if (isRejection(push)) return push;
    const ref = readRef(push.ref);
    if (isRejection(ref)) return ref;
    if (ref.kind === 'other') return [];
    const deleted = push.after === ZERO_SHA;
    const commit = deleted ? push.before : push.checkout_sha ?? push.after;
    const head = deleted ? undefined : push.commits.find((candidate) => candidate.id === commit);
    const event: PushEvent = {
      provider: 'gitlab',
      repository,
      refKind: ref.kind,
      ref: ref.name,
      commit,
      message: commitMessage(head?.message),
      author: clip(head ? formatPerson(head.author.name, head.author.email) : formatPerson(push.user_name, push.user_email), MAX_AUTHOR_LENGTH),
      deliveryId,
      deleted,
      ...(head?.url ? { url: head.url } : {}),
      // GitLab does not say whether a push was forced; ancestry and the head commit's time decide.
      ...(deleted || ref.kind !== 'branch' ? {} : order({ before: push.before, ancestors: otherCommits(push.commits.map((listed) => listed.id), commit), pushedAt: head?.timestamp })),
    };
    return [event];
  },
};
