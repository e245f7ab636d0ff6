import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../core/webhooks/read-webhook';
import { fixture, githubExamples, repositories } from './webhook-requests';

/** One secret for every repository, so "validly signed" does not depend on which one the body names. */
const SECRET = 'fuzz-secret';
const secretFor = async () => SECRET;

const bases: Record<string, { event: string; payload: Record<string, unknown> }> = {
  github: { event: 'push', payload: githubExamples('push')[4] as Record<string, unknown> },
  gitlab: { event: 'Push Hook', payload: fixture('gitlab-push.json') },
  bitbucket: { event: 'repo:push', payload: fixture('bitbucket-push.json') },
};

/** The provider's valid push; GitHub's for made-up providers (even "__proto__"). */
const baseOf = (provider: string) => (Object.hasOwn(bases, provider) ? bases[provider] : undefined) ?? bases.github!;

const HEADERS = [
  'x-github-event', 'x-github-delivery', 'x-hub-signature-256', 'x-hub-signature',
  'x-gitlab-event', 'x-gitlab-event-uuid', 'idempotency-key', 'x-gitlab-token',
  'x-event-key', 'x-request-uuid',
];

const hmac = (body: Uint8Array) => createHmac('sha256', SECRET).update(body).digest('hex');

/** A valid payload with one thing changed, or something that is not a payload at all. */
const body = (provider: string) => {
  const base = baseOf(provider);
  const mutated = fc
    .tuple(fc.constantFrom(...Object.keys(base.payload), 'ref', 'after', 'repository', 'project', 'push'), fc.option(fc.jsonValue({ maxDepth: 3 })))
    .map(([key, value]) => JSON.stringify({ ...base.payload, [key]: value ?? undefined }));
  const refTrick = fc
    .constantFrom('refs/heads/../x', 'refs/heads/-x', 'refs/heads/a\u0000b', 'refs/tags/v1', 'refs/heads/ok', 'refs/heads/a..b')
    .map((ref) => JSON.stringify({ ...base.payload, ref }));
  return fc.oneof(
    { arbitrary: fc.constant(JSON.stringify(base.payload)), weight: 4 },
    { arbitrary: mutated, weight: 3 },
    { arbitrary: refTrick, weight: 2 },
    { arbitrary: fc.json({ maxDepth: 4 }), weight: 1 },
    { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
  );
};

const request = fc
  .oneof({ arbitrary: fc.constantFrom('github', 'gitlab', 'bitbucket'), weight: 5 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 })
  .chain((provider) =>
    fc.record({
      provider: fc.constant(provider),
      body: body(provider),
      signing: fc.constantFrom('valid', 'valid', 'wrong', 'none', 'garbage'),
      event: fc.oneof({ arbitrary: fc.constant(baseOf(provider).event), weight: 3 }, fc.constantFrom('ping', 'diagnostics:ping', 'Tag Push Hook', 'issues'), fc.string({ maxLength: 20 })),
      extra: fc.dictionary(fc.constantFrom(...HEADERS), fc.option(fc.string({ maxLength: 80 }), { nil: undefined }), { maxKeys: 1 }),
    }),
  )
  .map(({ provider, body: raw, signing, event, extra }) => {
    const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const signature = signing === 'valid' ? hmac(bytes) : signing === 'wrong' ? createHmac('sha256', 'other').update(bytes).digest('hex') : 'nothing';
    const headers: Record<string, string | undefined> = {
      'x-github-event': event, 'x-gitlab-event': event, 'x-event-key': event,
      'x-github-delivery': 'delivery-1', 'x-gitlab-event-uuid': 'delivery-1', 'x-request-uuid': 'delivery-1',
      ...(signing === 'none' ? {} : {
        'x-hub-signature-256': `sha256=${signature}`,
        'x-hub-signature': `sha256=${signature}`,
        'x-gitlab-token': signing === 'valid' ? SECRET : signature,
      }),
      ...extra,
    };
    return { provider, headers, body: raw };
  });

/** Whether the headers hold a correct signature (or token) of these exact bytes. */
function validlySigned(provider: string, headers: Record<string, string | undefined>, raw: string | Buffer): boolean {
  const expected = hmac(typeof raw === 'string' ? Buffer.from(raw) : raw);
  if (provider === 'github') return headers['x-hub-signature-256'] === `sha256=${expected}`;
  if (provider === 'bitbucket') return headers['x-hub-signature']?.toLowerCase() === `sha256=${expected}`;
  return headers['x-gitlab-token'] === SECRET;
}

describe('readWebhook: fuzz', () => {
  it('never throws, never answers 5xx, and acts only on validly signed bodies', async () => {
    const seen = { push: 0, ping: 0, ignored: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        // Act
        const outcome = await readWebhook({ ...input, repositories, secretFor });

        // Assess
        seen[outcome.kind] += 1;
        if (outcome.kind === 'rejected') expect([400, 401, 404, 413]).toContain(outcome.status);
        const named = outcome.kind === 'push' || ((outcome.kind === 'ping' || outcome.kind === 'ignored') && outcome.repository !== undefined);
        if (named) expect(validlySigned(input.provider, input.headers, input.body)).toBe(true);
        if (outcome.kind === 'push') expect(outcome.events.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
    // The property is not vacuous: valid pushes were generated and read.
    expect(seen.push).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });
});
