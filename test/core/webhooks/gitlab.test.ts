import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../core/webhooks/read-webhook';
import { fixture, gitlabRequest, repositories, secretFor } from './webhook-requests';

const push = fixture('gitlab-push.json');
const tagPush = fixture('gitlab-tag-push.json');
const ZERO = '0'.repeat(40);

describe('readWebhook: GitLab', () => {
  it.each([
    {
      title: 'Push Hook: the head commit is checkout_sha, its details come from commits[]',
      event: 'Push Hook',
      payload: push,
      expected: {
        refKind: 'branch',
        ref: 'master',
        commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        message: 'fixed readme',
        author: 'GitLab dev user <gitlabdev@dv6700.(none)>',
        deleted: false,
        url: 'http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      },
    },
    {
      title: 'Tag Push Hook: no commits listed, so the pusher is the author',
      event: 'Tag Push Hook',
      payload: tagPush,
      expected: { refKind: 'tag', ref: 'v1.0.0', commit: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7', message: '', author: 'John Smith <john@example.com>', deleted: false },
    },
    {
      title: 'annotated tag: checkout_sha (the commit) wins over after (the tag object)',
      event: 'Tag Push Hook',
      payload: { ...tagPush, after: 'b'.repeat(40) },
      expected: { commit: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7' },
    },
    {
      title: 'branch deletion: after is all zeros, the commit is the one before',
      event: 'Push Hook',
      payload: { ...push, after: ZERO, checkout_sha: null, commits: [], total_commits_count: 0 },
      expected: { refKind: 'branch', ref: 'master', commit: '95790bf891e76fee5e1747ab589903a6a1f80f22', deleted: true, author: 'John Smith <john@example.com>' },
    },
  ])('$title', async ({ event, payload, expected }) => {
    // Prepare
    const request = gitlabRequest(event, JSON.stringify(payload));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    const deliveryId = request.headers['x-gitlab-event-uuid'];
    expect(outcome).toMatchObject({ kind: 'push', repository: 'diaspora', deliveryId });
    expect(outcome.kind === 'push' && outcome.events).toEqual([expect.objectContaining({ provider: 'gitlab', repository: 'diaspora', deliveryId, ...expected })]);
  });

  it('prefers Idempotency-Key, which stays the same when GitLab retries', async () => {
    // Prepare
    const request = gitlabRequest('Push Hook', JSON.stringify(push));
    request.headers['idempotency-key'] = '908a6d9e-45fd-46c8-97e6-c4f350f219dd';

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'push', deliveryId: '908a6d9e-45fd-46c8-97e6-c4f350f219dd' });
  });

  it.each([
    { title: 'wrong token', token: 'not-the-secret' },
    { title: 'the secret with a suffix', token: 's3cret-of-diaspora-x' },
    { title: 'another repository\'s secret', token: 's3cret-of-payments' },
  ])('refuses a $title with 401', async ({ token }) => {
    // Prepare
    const request = gitlabRequest('Push Hook', JSON.stringify(push), token);

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401, error: 'invalid_signature' });
  });

  it('ignores a verified merge request event', async () => {
    // Prepare
    const request = gitlabRequest('Merge Request Hook', JSON.stringify({ object_kind: 'merge_request', project: push.project }));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'ignored', repository: 'diaspora' });
  });
});
