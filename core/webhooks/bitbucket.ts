import * as z from 'zod/mini';
import { refNameProblem } from './git-ref';
import { clip, commitMessage, isRejection, MAX_AUTHOR_LENGTH, reject } from './outcome';
import type { PushEvent, Rejection } from './outcome';
import { HostTime, order, otherCommits, parseWith, readHeaderFacts, Sha, WebLink, ZERO_SHA } from './provider';
import type { WebhookProvider } from './provider';
import { parseSignatureHeader, verifyHmacSha256 } from './signatures';

/** Just enough of any Bitbucket Cloud body to find the repository, read before the signature is checked. */
export const BitbucketRepositoryClaim = z.object({
  repository: z.nullish(
    z.object({
      full_name: z.optional(z.string().check(z.maxLength(512))),
      links: z.nullish(z.object({ html: z.nullish(z.object({ href: z.optional(z.string().check(z.maxLength(2048))) })) })),
    }),
  ),
});
export type BitbucketRepositoryClaim = z.infer<typeof BitbucketRepositoryClaim>;

const BitbucketRefState = z.object({
  /** branch or tag; Mercurial-era types (named_branch, bookmark) are skipped. */
  type: z.string(),
  name: z.string().check(z.maxLength(1024)),
  target: z.object({
    hash: Sha,
    date: HostTime,
    message: z.nullish(z.string()),
    author: z.nullish(z.object({ raw: z.nullish(z.string()) })),
    links: z.nullish(z.object({ html: z.nullish(z.object({ href: WebLink })) })),
  }),
});

/** repo:push bodies (https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/#Push). */
export const BitbucketPush = z.object({
  push: z.object({
    /** One per ref; `new` is null when the ref was deleted, `old` when it was created. */
    changes: z.array(
      z.object({
        new: z.nullable(BitbucketRefState),
        old: z.nullable(BitbucketRefState),
        forced: z.optional(z.boolean()),
        /** The newest commits of the change, newest first (at most 5). */
        commits: z._default(z.array(z.object({ hash: Sha })), []),
      }),
    ),
  }),
  actor: z.nullish(z.object({ display_name: z.nullish(z.string()) })),
  repository: z.object({ full_name: z.string(), links: z.object({ html: z.object({ href: z.string() }) }) }),
});
export type BitbucketPush = z.infer<typeof BitbucketPush>;

export const bitbucket: WebhookProvider = {
  name: 'bitbucket',

  readHeaders: (headers) =>
    readHeaderFacts(headers, {
      event: 'x-event-key',
      delivery: ['x-request-uuid'],
      signature: 'x-hub-signature',
      signatureProblem: (value) => {
        const parsed = parseSignatureHeader(value);
        return parsed.ok ? undefined : parsed.message;
      },
    }),

  eventKind: (event) => (event === 'repo:push' ? 'push' : event === 'diagnostics:ping' ? 'ping' : 'other'),

  claim(payload) {
    const parsed = parseWith(BitbucketRepositoryClaim, payload, 'repository');
    if (isRejection(parsed)) return parsed;
    if (!parsed.repository) return undefined;
    return { url: parsed.repository.links?.html?.href, fullName: parsed.repository.full_name };
  },

  verify: async (secret, body, signature) => {
    const parsed = parseSignatureHeader(signature);
    return parsed.ok && verifyHmacSha256(secret, body.bytes, parsed.hex);
  },

  pushEvents(payload, { repository, deliveryId }) {
    const push = parseWith(BitbucketPush, payload, 'push');
    if (isRejection(push)) return push;
    const events: PushEvent[] = [];
    for (const [index, change] of push.push.changes.entries()) {
      const state = change.new ?? change.old;
      if (!state || (state.type !== 'branch' && state.type !== 'tag')) continue;
      const problem = refNameProblem(state.name);
      if (problem) return rejectChange(index, problem);
      const { target } = state;
      events.push({
        provider: 'bitbucket',
        repository,
        refKind: state.type,
        ref: state.name,
        commit: target.hash,
        message: commitMessage(target.message),
        author: clip(target.author?.raw ?? push.actor?.display_name ?? '', MAX_AUTHOR_LENGTH),
        deliveryId,
        deleted: change.new === null,
        ...(target.links?.html?.href ? { url: target.links.html.href } : {}),
        ...(change.new === null || state.type !== 'branch' ? {} : order({
          // A created ref has no `old`: as the other hosts say it, it was forty zeros before.
          before: change.old?.target.hash ?? ZERO_SHA,
          forced: change.forced,
          ancestors: otherCommits(change.commits.map((listed) => listed.hash).reverse(), target.hash),
          pushedAt: target.date,
        })),
      });
    }
    return events;
  },
};

function rejectChange(index: number, problem: string): Rejection {
  return reject('malformed_payload', `push.changes.${index}: ref ${problem}`);
}
