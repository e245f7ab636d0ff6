import * as z from 'zod/mini';
import { PROVIDERS } from '../providers';

/**
 * What reading one webhook delivery comes to. The webhook handler maps it to an HTTP answer
 * (docs/architecture.md#webhooks): push -> start workflows (202 started/duplicate), ping -> 200, ignored -> 202,
 * rejected -> its status with `{ error, message }`.
 */

/** Longest commit message kept: a CMDB item is at most 400 KB and an approval email shows the message. */
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_AUTHOR_LENGTH = 256;

/** One ref update of one push, the same shape for every provider. Built only from a verified body. */
export const PushEvent = z.object({
  provider: z.enum(PROVIDERS),
  /** Our configured repository name, not the provider's. */
  repository: z.string(),
  refKind: z.enum(['branch', 'tag']),
  /** Branch or tag name without `refs/heads/` or `refs/tags/`; valid per git check-ref-format. */
  ref: z.string(),
  /**
   * Lower-case 40-hex commit the ref now points at; for a deletion, what it pointed at before
   * (as the provider reports it: for a deleted annotated tag that may be the tag object).
   */
  commit: z.string().check(z.regex(/^[0-9a-f]{40}$/)),
  /** Commit message, at most MAX_MESSAGE_LENGTH characters; empty when the provider sent no commit details. */
  message: z.string(),
  /** `Name <email>` of the commit author, or of the pusher when the provider sent no commit details. */
  author: z.string(),
  /** The provider's delivery id: a redelivery carries the same one. Several events of one delivery share it. */
  deliveryId: z.string(),
  /** The ref was deleted: nothing to build. */
  deleted: z.boolean(),
  /** Web page of the commit, http(s) only. */
  url: z.optional(z.string()),
  /**
   * What the host says about where this push sits in the branch's history, which is how "newer" is
   * decided (see docs/architecture.md#commit-order): the commit the ref pointed at before the push
   * (forty zeros when the push created it), whether the host says the push rewrote history (GitHub and
   * Bitbucket say; GitLab does not), the other commits the push lists as reached by `commit` (at most
   * 20 on GitHub and GitLab, 5 on Bitbucket), and when the push happened as the host reports it
   * (GitHub's push time, else the head commit's time), ISO 8601.
   */
  before: z.optional(z.string().check(z.regex(/^[0-9a-f]{40}$/))),
  forced: z.optional(z.boolean()),
  ancestors: z.optional(z.array(z.string().check(z.regex(/^[0-9a-f]{40}$/)))),
  pushedAt: z.optional(z.string()),
});
export type PushEvent = z.infer<typeof PushEvent>;

export type RejectionStatus = 400 | 401 | 404 | 413;

/** The `error` field of a rejection: stable, machine-readable. */
export type RejectionCode =
  | 'unknown_provider'
  | 'payload_too_large'
  | 'missing_header'
  | 'malformed_header'
  | 'malformed_payload'
  | 'unknown_repository'
  | 'missing_signature'
  | 'invalid_signature';

export type WebhookOutcome =
  /** At least one event; Bitbucket sends one per changed ref, the others exactly one. */
  | { kind: 'push'; repository: string; deliveryId: string; events: PushEvent[] }
  /** No repository when the ping named none (an organisation hook, Bitbucket's test): nothing was verified. */
  | { kind: 'ping'; repository?: string; deliveryId?: string }
  /** No repository when the event named none: nothing was verified, and nothing may be done. */
  | { kind: 'ignored'; reason: string; deliveryId?: string; repository?: string }
  | { kind: 'rejected'; status: RejectionStatus; error: RejectionCode; message: string };

export type Rejection = Extract<WebhookOutcome, { kind: 'rejected' }>;

const STATUS: Record<RejectionCode, RejectionStatus> = {
  unknown_provider: 404,
  payload_too_large: 413,
  missing_header: 400,
  malformed_header: 400,
  malformed_payload: 400,
  unknown_repository: 404,
  missing_signature: 401,
  invalid_signature: 401,
};

/** Messages are fixed text or our own words: never a secret, a stack, or a long echo of the request. */
export function reject(error: RejectionCode, message: string): Rejection {
  return { kind: 'rejected', status: STATUS[error], error, message };
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rejected';
}

/** Cuts a provider string to a bound, so one huge field cannot bloat a CMDB item or an email. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  // Never end on half a surrogate pair: the rest of the system expects well-formed text.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** A commit message as shown to people: bounded, without the trailing newline some hosts keep. */
export function commitMessage(text: string | null | undefined): string {
  return clip((text ?? '').trimEnd(), MAX_MESSAGE_LENGTH);
}

/** A zod error as one short line: paths and zod's own words, never the values received. */
export function describeIssues(error: { readonly issues: ReadonlyArray<{ readonly path: readonly PropertyKey[]; readonly message: string }> }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
