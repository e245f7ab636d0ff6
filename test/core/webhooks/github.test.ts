import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../core/webhooks/read-webhook';
import { githubExamples, githubRequest, repositories, secretFor, secretOf } from './webhook-requests';

const pushes = githubExamples('push');
const pings = githubExamples('ping');

describe('readWebhook: GitHub examples from @octokit/webhooks-examples', () => {
  it.each([
    { title: 'branch push', example: pushes[4], refKind: 'branch', ref: 'master', deleted: false, message: 'Initial commit' },
    { title: 'tag push', example: pushes[0], refKind: 'tag', ref: 'simple-tag', deleted: false, message: 'Adding a .gitignore file' },
    // A deletion has no head commit: the commit is where the ref pointed, the author is the pusher.
    { title: 'tag deletion', example: pushes[1], refKind: 'tag', ref: 'simple-tag', deleted: true, message: '' },
  ])('$title becomes one push event', async ({ example, refKind, ref, deleted, message }) => {
    // Prepare
    const body = JSON.stringify(example, null, 2);
    const request = await githubRequest('push', body);

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'push', repository: 'hello-world', deliveryId: request.headers['x-github-delivery'] });
    if (outcome.kind !== 'push') return;
    expect(outcome.events).toEqual([
      {
        provider: 'github',
        repository: 'hello-world',
        refKind,
        ref,
        commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        message,
        author: 'Codertocat <21031067+Codertocat@users.noreply.github.com>',
        deliveryId: request.headers['x-github-delivery'],
        deleted,
        ...(deleted ? {} : { url: 'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246' }),
        // Where a branch push sits in the history: created (before is zeros), not forced, pushed then.
        ...(refKind === 'branch' ? { before: '0'.repeat(40), forced: false, pushedAt: '2019-05-15T15:20:57.000Z' } : {}),
      },
    ]);
  });

  it('takes the commit from head_commit for an annotated tag, whose "after" is the tag object', async () => {
    // Prepare
    const tagObject = 'a'.repeat(40);
    const body = JSON.stringify({ ...pushes[0], after: tagObject });

    // Act
    const outcome = await readWebhook({ ...(await githubRequest('push', body)), repositories, secretFor });

    // Assess
    expect(outcome.kind === 'push' && outcome.events[0]?.commit).toBe('6113728f27ae82c7b1a177c8d03f9e96e0adf246');
  });

  it.each([
    { title: 'repository hook ping', example: pings[0], expected: { kind: 'ping', repository: 'octo-hello' } },
    { title: 'organisation hook ping (no repository to verify against)', example: pings[3], expected: { kind: 'ping' } },
  ])('$title', async ({ example, expected }) => {
    // Prepare
    const request = await githubRequest('ping', JSON.stringify(example), secretOf('octo-hello'));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toEqual({ ...expected, deliveryId: request.headers['x-github-delivery'] });
  });

  it('ignores other events once verified', async () => {
    // Prepare
    const issue = githubExamples('issues')[0];
    const request = await githubRequest('issues', JSON.stringify({ ...issue, repository: { ...(issue?.repository as object), html_url: 'https://github.com/Codertocat/Hello-World' } }));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'ignored', repository: 'hello-world', reason: 'event "issues" is not handled' });
  });

  it('refuses a ping signed with another repository\'s secret', async () => {
    // Prepare
    const request = await githubRequest('ping', JSON.stringify(pings[0]), secretOf('hello-world'));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401, error: 'invalid_signature' });
  });

  it('ignores a push to a ref that is neither a branch nor a tag', async () => {
    // Prepare
    const request = await githubRequest('push', JSON.stringify({ ...pushes[4], ref: 'refs/notes/commits' }));

    // Act
    const outcome = await readWebhook({ ...request, repositories, secretFor });

    // Assess
    expect(outcome).toMatchObject({ kind: 'ignored', repository: 'hello-world' });
  });
});
