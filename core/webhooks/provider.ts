import * as z from 'zod/mini';
import '../zod-english';
import type { Provider } from '../config';
import { parseFullRef } from './git-ref';
import type { RefKind } from './git-ref';
import { describeIssues, reject } from './outcome';
import type { PushEvent, Rejection } from './outcome';
import type { RawBody } from './raw-body';
import type { RepositoryClaim } from './repository-match';

/** Headers lower-cased by the caller. */
export type Headers = Record<string, string | undefined>;

export type EventKind = 'push' | 'ping' | 'other';

/** What the headers say, read before the body is parsed. */
export interface HeaderFacts {
  event: string;
  deliveryId: string;
  /** The signature or token header, already checked for shape. */
  signature: string;
}

/** One git host: how to read its headers and bodies. Nothing here acts on anything. */
export interface WebhookProvider {
  readonly name: Provider;
  readHeaders(headers: Headers): HeaderFacts | Rejection;
  eventKind(event: string): EventKind;
  /** The repository an unverified body names; undefined when it names none. */
  claim(payload: Record<string, unknown>): RepositoryClaim | undefined | Rejection;
  verify(secret: string, body: RawBody, signature: string): Promise<boolean>;
  /** Normalises a verified push body; an empty list when no branch or tag changed. */
  pushEvents(payload: Record<string, unknown>, context: PushContext): PushEvent[] | Rejection;
}

export interface PushContext {
  repository: string;
  deliveryId: string;
}

/** Delivery ids are UUIDs or GUIDs; this also keeps them safe inside a CMDB key (no '#'). */
const DELIVERY_ID = /^[A-Za-z0-9{}._:-]{1,128}$/;

export interface HeaderNames {
  event: string;
  /** Tried in order: the first present is the delivery id. */
  delivery: readonly string[];
  signature: string;
  /** Checks the signature header's shape; a problem is a 401 before the body is even parsed. */
  signatureProblem?: (value: string) => string | undefined;
}

export function readHeaderFacts(headers: Headers, names: HeaderNames): HeaderFacts | Rejection {
  const event = headers[names.event];
  if (!event) return reject('missing_header', `the ${names.event} header is missing`);
  const deliveryHeader = names.delivery.find((name) => headers[name]);
  const deliveryId = deliveryHeader === undefined ? undefined : headers[deliveryHeader];
  if (!deliveryId) return reject('missing_header', `the ${names.delivery.at(-1) ?? 'delivery id'} header is missing`);
  if (!DELIVERY_ID.test(deliveryId)) return reject('malformed_header', `the ${deliveryHeader} header is not a delivery id`);
  const signature = headers[names.signature];
  if (!signature) return reject('missing_signature', `the ${names.signature} header is missing: set a secret on the webhook`);
  const problem = names.signatureProblem?.(signature);
  if (problem) return reject('invalid_signature', problem);
  return { event, deliveryId, signature };
}

/** Parses with a zod schema; a mismatch is a 400 naming the paths, never the values. */
export function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T | Rejection {
  const result = schema.safeParse(value);
  return result.success ? result.data : reject('malformed_payload', `${what}: ${describeIssues(result.error)}`);
}

/** A 40-hex commit id, lower-cased. */
export const Sha = z.pipe(
  z.string().check(z.regex(/^[0-9a-fA-F]{40}$/, 'must be a 40-hex commit id')),
  z.transform((sha) => sha.toLowerCase()),
);

export const ZERO_SHA = '0'.repeat(40);

/** A link we may put in an email: http(s) only, anything else is dropped rather than refused. */
export const WebLink = z.catch(z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048))), undefined);

/** A full ref as a branch or tag, 'other' for the rest; a malformed one is a 400. */
export function readRef(ref: string): { kind: RefKind; name: string } | { kind: 'other' } | Rejection {
  const parsed = parseFullRef(ref);
  if (!parsed.ok) return reject('malformed_payload', `ref ${parsed.problem}`);
  return parsed.kind === 'other' ? { kind: 'other' } : { kind: parsed.kind, name: parsed.name };
}

/** `Name <email>`, as git prints an author. */
export function formatPerson(name: string | null | undefined, email: string | null | undefined): string {
  const who = (name ?? '').trim();
  const address = (email ?? '').trim();
  if (!address) return who;
  return who ? `${who} <${address}>` : `<${address}>`;
}

/**
 * A time a host reports, as ISO 8601: GitHub sends a push's `pushed_at` as epoch seconds and other
 * times as ISO strings; anything unreadable is dropped (ordering then falls back to ancestry alone).
 */
export const HostTime = z.catch(
  z.pipe(
    z.nullish(z.union([z.number(), z.string().check(z.maxLength(64))])),
    z.transform((value) => {
      if (value === null || value === undefined) return undefined;
      const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
      return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
    }),
  ),
  undefined,
);

/** The commits of a push other than its head, once each, in the order listed. */
export function otherCommits(ids: readonly string[], head: string): string[] {
  return [...new Set(ids.filter((id) => id !== head))];
}

/** The ordering facts of a push event, leaving out those the host did not give. */
export function order(facts: { before?: string; forced?: boolean; ancestors?: readonly string[]; pushedAt?: string | undefined }): Partial<Pick<PushEvent, 'before' | 'forced' | 'ancestors' | 'pushedAt'>> {
  return {
    ...(facts.before ? { before: facts.before } : {}),
    ...(facts.forced === undefined ? {} : { forced: facts.forced }),
    ...(facts.ancestors && facts.ancestors.length > 0 ? { ancestors: [...facts.ancestors] } : {}),
    ...(facts.pushedAt ? { pushedAt: facts.pushedAt } : {}),
  };
}
