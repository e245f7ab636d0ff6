import type { Provider, RepositoryConfig } from '../config';
import { bitbucket } from './bitbucket';
import { github } from './github';
import { gitlab } from './gitlab';
import { isRejection, reject } from './outcome';
import type { PushEvent, WebhookOutcome } from './outcome';
import type { EventKind, Headers, WebhookProvider } from './provider';
import { ZERO_SHA } from './provider';
import { DEFAULT_MAX_BODY_BYTES, parseJsonObject, readRawBody } from './raw-body';
import type { RawBody } from './raw-body';
import { findRepository } from './repository-match';

const PROVIDERS: Readonly<Record<Provider, WebhookProvider>> = { github, gitlab, bitbucket };

export interface ReadWebhookInput {
  /** The `{provider}` path parameter, as sent. */
  provider: string;
  /** Header names lower-cased by the caller. */
  headers: Headers;
  /** The body exactly as received (API Gateway's base64 already undone): signatures cover these bytes. */
  body: string | Uint8Array;
  repositories: readonly RepositoryConfig[];
  /** The webhook secret of a configured repository. Its failures are ours, not the client's: they propagate. */
  secretFor: (repository: string) => Promise<string>;
  /** @default DEFAULT_MAX_BODY_BYTES (5 MiB) */
  maxBodyBytes?: number;
}

/**
 * Verifies one webhook delivery and normalises it. Never throws for anything a client sent; only a
 * failing `secretFor` (or an empty secret) throws, which the handler answers with a 5xx so the host retries.
 *
 * Order: provider (404) -> size (413) -> headers (400, 401 for a missing or misshapen signature) -> JSON
 * (400) -> repository named by the body (404) -> signature with that repository's secret (401) -> schema
 * (400) -> classification. The secret is per repository, so the repository must be read from the still
 * unverified body; that read only picks a secret. Everything that can be acted on (push events, a
 * repository named in a ping or ignored outcome) comes from a verified body.
 */
export async function readWebhook(input: ReadWebhookInput): Promise<WebhookOutcome> {
  const provider = Object.hasOwn(PROVIDERS, input.provider) ? PROVIDERS[input.provider as Provider] : undefined;
  if (!provider) return reject('unknown_provider', 'unknown webhook provider: use github, gitlab or bitbucket');

  const located = locate(provider, input);
  if (located.kind !== 'located') return located;
  const { body, payload, event, deliveryId, signature, repository } = located;

  const secret = await input.secretFor(repository.name);
  if (!(await provider.verify(secret, body, signature))) {
    return reject('invalid_signature', 'the signature does not match the body and this repository\'s secret');
  }

  const kind = provider.eventKind(event);
  if (kind === 'ping') return { kind: 'ping', repository: repository.name, deliveryId };
  if (kind === 'other') return { kind: 'ignored', reason: notHandled(event), deliveryId, repository: repository.name };
  try {
    const events = provider.pushEvents(payload, { repository: repository.name, deliveryId });
    if (isRejection(events)) return events;
    if (events.some(hasNoCommit)) return reject('malformed_payload', 'a pushed ref that is not deleted must point at a commit');
    if (events.length === 0) return { kind: 'ignored', reason: 'the push changed no branch or tag', deliveryId, repository: repository.name };
    return { kind: 'push', repository: repository.name, deliveryId, events };
  } catch {
    // A body that passed the schemas yet tripped normalisation is still a client's body: 400, not 5xx.
    return reject('malformed_payload', 'the push could not be read');
  }
}

type Located =
  | { kind: 'located'; body: RawBody; payload: Record<string, unknown>; event: string; deliveryId: string; signature: string; repository: RepositoryConfig }
  | Exclude<WebhookOutcome, { kind: 'push' }>;

/** Everything before the secret is needed: all of it reads client input, none of it may throw. */
function locate(provider: WebhookProvider, input: ReadWebhookInput): Located {
  try {
    const body = readRawBody(input.body, input.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (isRejection(body)) return body;
    const facts = provider.readHeaders(input.headers);
    if (isRejection(facts)) return facts;
    const payload = parseJsonObject(body.text);
    if (isRejection(payload)) return payload;
    const claim = provider.claim(payload);
    if (isRejection(claim)) return claim;
    const kind = provider.eventKind(facts.event);
    if (!claim) return unclaimed(kind, facts.event, facts.deliveryId);
    const repository = findRepository(input.repositories, provider.name, claim);
    // Says only that nothing matched: neither the URL sent nor the repositories configured.
    if (!repository) return reject('unknown_repository', 'no configured repository matches this webhook');
    return { kind: 'located', body, payload, ...facts, repository };
  } catch {
    return reject('malformed_payload', 'the webhook could not be read');
  }
}

/**
 * A body naming no repository cannot be verified (secrets are per repository). It is answered without
 * verification only when answering does nothing: a ping (an organisation hook's, Bitbucket's test) or
 * an event we ignore anyway. A push must name its repository.
 */
function unclaimed(kind: EventKind, event: string, deliveryId: string): Located {
  if (kind === 'push') return reject('malformed_payload', 'a push must name its repository');
  if (kind === 'ping') return { kind: 'ping', deliveryId };
  return { kind: 'ignored', reason: notHandled(event), deliveryId };
}

function notHandled(event: string): string {
  // The event name is echoed only when it looks like one.
  return /^[\w :.-]{1,64}$/.test(event) ? `event "${event}" is not handled` : 'event not handled';
}

function hasNoCommit(event: PushEvent): boolean {
  return event.commit === ZERO_SHA;
}
