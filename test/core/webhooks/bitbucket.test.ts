import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../core/webhooks/read-webhook';
import { bitbucketRequest, fixture, repositories, secretFor } from './webhook-requests';

const push = fixture('bitbucket-push.json') as { push: { changes: unknown[] } } & Record<string, unknown>;

describe('readWebhook: Bitbucket Cloud', () => {
  it('returns one event per changed ref: branch update, tag creation, branch deletion', async () => {
    // Prepare
    const request = bitbucketRequest('repo:push', JSON.stringify(push));
    const deliveryId = request.headers['x-request-uuid'];

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    const common = { provider: 'bitbucket', repository: 'payments', deliveryId };
    expect(outcome).toEqual({
      kind: 'push',
      repository: 'payments',
      deliveryId,
      events: [
        {
          ...common,
          refKind: 'branch',
          ref: 'main',
          commit: 'c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605',
          message: 'Retry ACH settlements twice before failing',
          author: 'Ana Lopes <ana@acme.example>',
          deleted: false,
          url: 'https://bitbucket.org/acme/payments-service/commits/c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605',
          before: '1e65c05c1d5171631d92438a13901ca7dae9618c',
          forced: false,
          pushedAt: '2024-05-03T14:01:02.000Z',
        },
        {
          ...common,
          refKind: 'tag',
          ref: 'v2.4.0',
          commit: 'c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605',
          message: 'Retry ACH settlements twice before failing',
          author: 'Ana Lopes <ana@acme.example>',
          deleted: false,
          url: 'https://bitbucket.org/acme/payments-service/commits/c2e6dd5b2f5e0c4b1a8f7e6d5c4b3a2918070605',
        },
        {
          ...common,
          refKind: 'branch',
          ref: 'feature/old-retry',
          commit: '9f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a',
          message: 'Try a different retry',
          author: 'Ben Ode <ben@acme.example>',
          deleted: true,
          url: 'https://bitbucket.org/acme/payments-service/commits/9f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a',
        },
      ],
    });
  });

  it.each([
    { title: 'diagnostics:ping naming the repository is verified', event: 'diagnostics:ping', body: { repository: push.repository }, expected: { kind: 'ping', repository: 'payments' } },
    { title: 'diagnostics:ping naming none is answered unverified', event: 'diagnostics:ping', body: { test: true }, expected: { kind: 'ping' } },
    { title: 'another event is ignored once verified', event: 'pullrequest:created', body: { repository: push.repository }, expected: { kind: 'ignored', repository: 'payments' } },
    { title: 'a push whose changes are all Mercurial-era types is ignored', event: 'repo:push', body: { ...push, push: { changes: [{ old: null, new: { type: 'bookmark', name: 'x', target: { hash: 'a'.repeat(40) } } }] } }, expected: { kind: 'ignored', repository: 'payments' } },
  ])('$title', async ({ event, body, expected }) => {
    // Prepare
    const request = bitbucketRequest(event, JSON.stringify(body));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ ...expected, deliveryId: request.headers['x-request-uuid'] });
    expect('repository' in outcome).toBe('repository' in expected);
  });
});
