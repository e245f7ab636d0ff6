import * as z from 'zod/mini';
import { clip, commitMessage, isRejection, MAX_AUTHOR_LENGTH, reject } from './outcome';
import type { PushEvent } from './outcome';
import { formatPerson, HostTime, order, otherCommits, parseWith, readHeaderFacts, readRef, Sha, WebLink } from './provider';
import type { WebhookProvider } from './provider';
import { parseSignatureHeader, verifyGithubSignature } from './signatures';

/** Just enough of any GitHub body to find the repository, read before the signature is checked. */
export const GithubRepositoryClaim = z.object({
  repository: z.nullish(z.object({ html_url: z.optional(z.string().check(z.maxLength(2048))), full_name: z.optional(z.string().check(z.maxLength(512))) })),
});
export type GithubRepositoryClaim = z.infer<typeof GithubRepositoryClaim>;

const GithubPerson = z.object({ name: z.nullish(z.string()), email: z.nullish(z.string()) });

const GithubCommit = z.object({
  id: Sha,
  message: z.string(),
  url: WebLink,
  author: GithubPerson,
  timestamp: HostTime,
});

/** The push fields we use (https://docs.github.com/webhooks/webhook-events-and-payloads#push). */
export const GithubPush = z.object({
  ref: z.string().check(z.maxLength(1024)),
  before: Sha,
  after: Sha,
  deleted: z.boolean(),
  forced: z.optional(z.boolean()),
  /** The commits of the push, oldest first (at most 20); a deletion lists none. */
  commits: z._default(z.array(z.object({ id: Sha })), []),
  /** Null for a deletion, and for a push that only moved a ref to a commit GitHub already had. */
  head_commit: z.nullish(GithubCommit),
  pusher: GithubPerson,
  repository: z.object({ html_url: z.string(), full_name: z.string(), pushed_at: HostTime }),
});
export type GithubPush = z.infer<typeof GithubPush>;

export const github: WebhookProvider = {
  name: 'github',

  readHeaders(headers) {
    // GitHub also sends the sha1 X-Hub-Signature; only the sha256 one is accepted.
    if (!headers['x-hub-signature-256'] && headers['x-hub-signature']) {
      return reject('invalid_signature', 'sha1 signatures are refused: the X-Hub-Signature-256 header (sha256) is required');
    }
    return readHeaderFacts(headers, {
      event: 'x-github-event',
      delivery: ['x-github-delivery'],
      signature: 'x-hub-signature-256',
      signatureProblem: (value) => {
        const parsed = parseSignatureHeader(value);
        return parsed.ok ? undefined : parsed.message;
      },
    });
  },

  eventKind: (event) => (event === 'push' ? 'push' : event === 'ping' ? 'ping' : 'other'),

  claim(payload) {
    const parsed = parseWith(GithubRepositoryClaim, payload, 'repository');
    if (isRejection(parsed)) return parsed;
    if (!parsed.repository) return undefined;
    return { url: parsed.repository.html_url, fullName: parsed.repository.full_name };
  },

  verify: (secret, body, signature) => verifyGithubSignature(secret, body.text, signature),

  pushEvents(payload, { repository, deliveryId }) {
    const push = parseWith(GithubPush, payload, 'push');
    if (isRejection(push)) return push;
    const ref = readRef(push.ref);
    if (isRejection(ref)) return ref;
    if (ref.kind === 'other') return [];
    const head = push.deleted ? undefined : push.head_commit ?? undefined;
    const author = head ? head.author : push.pusher;
    const event: PushEvent = {
      provider: 'github',
      repository,
      refKind: ref.kind,
      ref: ref.name,
      // For an annotated tag `after` is the tag object; head_commit.id is the commit it points at.
      commit: push.deleted ? push.before : head?.id ?? push.after,
      message: commitMessage(head?.message),
      author: clip(formatPerson(author.name, author.email), MAX_AUTHOR_LENGTH),
      deliveryId,
      deleted: push.deleted,
      ...(head?.url ? { url: head.url } : {}),
      ...(push.deleted || ref.kind !== 'branch' ? {} : order({
        before: push.before,
        forced: push.forced,
        ancestors: otherCommits(push.commits.map((listed) => listed.id), head?.id ?? push.after),
        pushedAt: push.repository.pushed_at ?? head?.timestamp,
      })),
    };
    return [event];
  },
};
