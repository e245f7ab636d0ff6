import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readWebhook } from '../../../core/webhooks/read-webhook';
import type { WebhookOutcome } from '../../../core/webhooks/outcome';
import {
  bitbucketRequest,
  bitbucketSignature,
  fixture,
  githubExamples,
  githubRequest,
  gitlabRequest,
  repositories,
  secretFor,
  signedLike,
} from './webhook-requests';
import type { Request } from './webhook-requests';

const githubPush = githubExamples('push')[4] as Record<string, unknown>;
const gitlabPush = fixture('gitlab-push.json');
const bitbucketPush = fixture('bitbucket-push.json');
const githubBody = JSON.stringify(githubPush);

const github = () => githubRequest('push', githubBody);
const gitlab = () => gitlabRequest('Push Hook', JSON.stringify(gitlabPush));
const bitbucket = () => bitbucketRequest('repo:push', JSON.stringify(bitbucketPush));

/** A request with some headers replaced (undefined removes one). */
async function withHeaders(make: () => Request | Promise<Request>, headers: Record<string, string | undefined>): Promise<Request> {
  const request = await make();
  return { ...request, headers: { ...request.headers, ...headers } };
}

/** A request carrying another body, validly signed (GitLab's token does not depend on the body). */
async function withBody(make: () => Request | Promise<Request>, body: string | Buffer): Promise<Request> {
  return signedLike(await make(), body);
}

const githubWith = (fields: Record<string, unknown>) => withBody(github, JSON.stringify({ ...githubPush, ...fields }));
const withRef = (ref: string) => githubWith({ ref });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const firstChange = (bitbucketPush.push as { changes: Array<Record<string, unknown>> }).changes[0];

type Row = { title: string; request: () => Request | Promise<Request>; status: number; error: string };

const rows: Row[] = [
  // provider and size come first
  { title: 'unknown provider', request: async () => ({ ...(await github()), provider: 'gitea' }), status: 404, error: 'unknown_provider' },
  { title: 'provider named like an Object property', request: async () => ({ ...(await github()), provider: '__proto__' }), status: 404, error: 'unknown_provider' },
  { title: 'provider in another case', request: async () => ({ ...(await github()), provider: 'GitHub' }), status: 404, error: 'unknown_provider' },
  { title: '12 MB body, validly signed', request: () => withBody(github, `{"x":"${'a'.repeat(12 * 1024 * 1024)}"}`), status: 413, error: 'payload_too_large' },
  { title: '12 MB body without any header', request: async () => ({ provider: 'github', headers: {}, body: Buffer.alloc(12 * 1024 * 1024, 0x20) }), status: 413, error: 'payload_too_large' },

  // signatures
  { title: 'GitHub: signed with another secret', request: () => githubRequest('push', githubBody, 'wrong'), status: 401, error: 'invalid_signature' },
  { title: 'GitHub: truncated signature', request: async () => withHeaders(github, { 'x-hub-signature-256': (await github()).headers['x-hub-signature-256']?.slice(0, -2) }), status: 401, error: 'invalid_signature' },
  { title: 'GitHub: non-hex signature', request: () => withHeaders(github, { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }), status: 401, error: 'invalid_signature' },
  { title: 'GitHub: sha1 signature only', request: () => withHeaders(github, { 'x-hub-signature-256': undefined, 'x-hub-signature': `sha1=${'a'.repeat(40)}` }), status: 401, error: 'invalid_signature' },
  { title: 'GitHub: sha1 in the sha256 header', request: () => withHeaders(github, { 'x-hub-signature-256': `sha1=${'a'.repeat(40)}` }), status: 401, error: 'invalid_signature' },
  { title: 'GitHub: empty signature', request: () => withHeaders(github, { 'x-hub-signature-256': '' }), status: 401, error: 'missing_signature' },
  { title: 'GitHub: no signature', request: () => withHeaders(github, { 'x-hub-signature-256': undefined }), status: 401, error: 'missing_signature' },
  { title: 'GitHub: bare algorithm', request: () => withHeaders(github, { 'x-hub-signature-256': 'sha256=' }), status: 401, error: 'invalid_signature' },
  { title: 'GitHub: valid signature of another body', request: async () => ({ ...(await github()), body: githubBody.replace('master', 'main') }), status: 401, error: 'invalid_signature' },
  { title: 'Bitbucket: signed with another secret', request: () => bitbucketRequest('repo:push', JSON.stringify(bitbucketPush), 'wrong'), status: 401, error: 'invalid_signature' },
  { title: 'Bitbucket: sha1 signature', request: () => withHeaders(bitbucket, { 'x-hub-signature': `sha1=${'a'.repeat(40)}` }), status: 401, error: 'invalid_signature' },
  { title: 'Bitbucket: truncated signature', request: async () => withHeaders(bitbucket, { 'x-hub-signature': (await bitbucket()).headers['x-hub-signature']?.slice(0, -1) }), status: 401, error: 'invalid_signature' },
  { title: 'Bitbucket: hex without algorithm', request: async () => withHeaders(bitbucket, { 'x-hub-signature': (await bitbucket()).headers['x-hub-signature']?.slice('sha256='.length) }), status: 401, error: 'invalid_signature' },
  { title: 'Bitbucket: empty signature', request: () => withHeaders(bitbucket, { 'x-hub-signature': '' }), status: 401, error: 'missing_signature' },
  { title: 'GitLab: empty token', request: () => withHeaders(gitlab, { 'x-gitlab-token': '' }), status: 401, error: 'missing_signature' },
  { title: 'GitLab: no token', request: () => withHeaders(gitlab, { 'x-gitlab-token': undefined }), status: 401, error: 'missing_signature' },

  // other headers
  { title: 'GitHub: no event header', request: () => withHeaders(github, { 'x-github-event': undefined }), status: 400, error: 'missing_header' },
  { title: 'GitHub: no delivery id', request: () => withHeaders(github, { 'x-github-delivery': undefined }), status: 400, error: 'missing_header' },
  { title: 'GitHub: delivery id with a key separator', request: () => withHeaders(github, { 'x-github-delivery': 'a#b' }), status: 400, error: 'malformed_header' },
  { title: 'GitHub: overlong delivery id', request: () => withHeaders(github, { 'x-github-delivery': 'a'.repeat(129) }), status: 400, error: 'malformed_header' },
  { title: 'GitLab: no event header', request: () => withHeaders(gitlab, { 'x-gitlab-event': undefined }), status: 400, error: 'missing_header' },
  { title: 'GitLab: no delivery id', request: () => withHeaders(gitlab, { 'x-gitlab-event-uuid': undefined }), status: 400, error: 'missing_header' },
  { title: 'Bitbucket: no event header', request: () => withHeaders(bitbucket, { 'x-event-key': undefined }), status: 400, error: 'missing_header' },
  { title: 'Bitbucket: no delivery id', request: () => withHeaders(bitbucket, { 'x-request-uuid': undefined }), status: 400, error: 'missing_header' },

  // bodies, validly signed
  { title: 'empty body', request: () => withBody(github, ''), status: 400, error: 'malformed_payload' },
  { title: 'not JSON', request: () => withBody(github, 'hello'), status: 400, error: 'malformed_payload' },
  { title: 'form-encoded body', request: () => withBody(github, `payload=${encodeURIComponent(githubBody)}`), status: 400, error: 'malformed_payload' },
  { title: 'truncated JSON', request: () => withBody(github, githubBody.slice(0, -1)), status: 400, error: 'malformed_payload' },
  { title: 'JSON array', request: () => withBody(github, '[]'), status: 400, error: 'malformed_payload' },
  { title: 'JSON null', request: () => withBody(github, 'null'), status: 400, error: 'malformed_payload' },
  { title: 'JSON string', request: () => withBody(bitbucket, '"repo:push"'), status: 400, error: 'malformed_payload' },
  { title: '100k nested arrays', request: () => withBody(github, nested(100_000)), status: 400, error: 'malformed_payload' },
  { title: '100k nested arrays as the repository', request: () => withBody(github, `{"repository":${nested(100_000)}}`), status: 400, error: 'malformed_payload' },
  { title: '100k nested objects', request: () => withBody(gitlab, '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)), status: 400, error: 'malformed_payload' },
  { title: 'random bytes', request: () => withBody(bitbucket, randomBytes(64 * 1024)), status: 400, error: 'malformed_payload' },
  { title: 'invalid UTF-8 inside a JSON string', request: () => withBody(github, Buffer.concat([Buffer.from('{"ref":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])), status: 400, error: 'malformed_payload' },
  { title: 'byte order mark before the JSON', request: () => withBody(github, `\uFEFF${githubBody}`), status: 400, error: 'malformed_payload' },

  // wrong field types, validly signed
  { title: 'GitHub: ref is a number', request: () => githubWith({ ref: 42 }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: after is not hex', request: () => githubWith({ after: 'g'.repeat(40) }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: after is 39 digits', request: () => githubWith({ after: 'a'.repeat(39) }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: after is a SHA-256 object id', request: () => githubWith({ after: 'a'.repeat(64), head_commit: null }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: deleted is a string', request: () => githubWith({ deleted: 'yes' }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: head commit message is a number', request: () => githubWith({ head_commit: { ...(githubPush.head_commit as object), message: 7 } }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: repository is a string', request: () => githubWith({ repository: 'Codertocat/Hello-World' }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: push naming no repository', request: () => githubWith({ repository: undefined }), status: 400, error: 'malformed_payload' },
  { title: 'GitHub: a pushed ref pointing at nothing', request: () => githubWith({ after: '0'.repeat(40), head_commit: null }), status: 400, error: 'malformed_payload' },
  { title: 'GitLab: commits is an object', request: () => withBody(gitlab, JSON.stringify({ ...gitlabPush, commits: {} })), status: 400, error: 'malformed_payload' },
  { title: 'GitLab: checkout_sha is not a commit', request: () => withBody(gitlab, JSON.stringify({ ...gitlabPush, checkout_sha: 'main' })), status: 400, error: 'malformed_payload' },
  { title: 'GitLab: push naming no project', request: () => withBody(gitlab, JSON.stringify({ ...gitlabPush, project: null })), status: 400, error: 'malformed_payload' },
  { title: 'Bitbucket: changes is not a list', request: () => withBody(bitbucket, JSON.stringify({ ...bitbucketPush, push: { changes: 'main' } })), status: 400, error: 'malformed_payload' },
  { title: 'Bitbucket: short commit hash', request: () => withBody(bitbucket, JSON.stringify({ ...bitbucketPush, push: { changes: [{ old: null, new: { type: 'branch', name: 'main', target: { hash: 'c2e6dd5' } } }] } })), status: 400, error: 'malformed_payload' },

  // unknown repository (read before the signature: the secret is per repository)
  { title: 'GitHub: unknown repository', request: () => githubWith({ repository: { html_url: 'https://github.com/evil/repo', full_name: 'evil/repo' } }), status: 404, error: 'unknown_repository' },
  { title: 'GitHub: URL of a GitLab repository', request: () => githubWith({ repository: { html_url: 'https://example.com/mike/diaspora', full_name: 'mike/diaspora' } }), status: 404, error: 'unknown_repository' },
  { title: 'GitHub: a URL that is not one', request: () => githubWith({ repository: { html_url: 'javascript:alert(1)' } }), status: 404, error: 'unknown_repository' },
  { title: 'GitLab: unknown project', request: () => withBody(gitlab, JSON.stringify({ ...gitlabPush, project: { web_url: 'https://example.com/x/y', path_with_namespace: 'x/y' } })), status: 404, error: 'unknown_repository' },
  { title: 'Bitbucket: unknown repository', request: () => withBody(bitbucket, JSON.stringify({ ...bitbucketPush, repository: { full_name: 'a/b', links: { html: { href: 'https://bitbucket.org/a/b' } } } })), status: 404, error: 'unknown_repository' },

  // path tricks in refs, validly signed
  ...[
    'refs/heads/../x',
    'refs/heads/a..b',
    'refs/heads/x\u0000y',
    'refs/heads/x\ny',
    'refs/heads/x\u007fy',
    'refs/heads/-rf',
    'refs/heads/x y',
    'refs/heads/' + 'x'.repeat(300),
    'refs/heads/',
    'refs/heads/foo.lock',
    'refs/heads/.hidden',
    'refs/heads/a/.b',
    'refs/heads/a//b',
    'refs/heads/a/',
    'refs/heads/a.',
    'refs/heads/x@{1}',
    'refs/heads/@',
    'refs/heads/a\\b',
    'refs/heads/a:b',
    'refs/heads/a?*[',
    'refs/tags/v1~1^2',
    'refs/heads/\u202eevil',
    'refs/heads/\ud800',
    'refs/../../etc/passwd',
    'main',
    '',
  ].map((ref): Row => ({ title: `ref ${JSON.stringify(ref).slice(0, 40)}`, request: () => withRef(ref), status: 400, error: 'malformed_payload' })),
  { title: 'GitLab: ref with ..', request: () => withBody(gitlab, JSON.stringify({ ...gitlabPush, ref: 'refs/heads/../../x' })), status: 400, error: 'malformed_payload' },
  { title: 'Bitbucket: branch name with ..', request: () => withBody(bitbucket, JSON.stringify({ ...bitbucketPush, push: { changes: [{ ...firstChange, new: { ...(firstChange?.new as object), name: '../x' } }] } })), status: 400, error: 'malformed_payload' },
  { title: 'Bitbucket: tag name starting with -', request: () => withBody(bitbucket, JSON.stringify({ ...bitbucketPush, push: { changes: [{ ...firstChange, new: { ...(firstChange?.new as object), type: 'tag', name: '-x' } }] } })), status: 400, error: 'malformed_payload' },

  // the order of checks
  { title: 'size before headers', request: async () => ({ provider: 'gitlab', headers: {}, body: 'x'.repeat(6 * 1024 * 1024) }), status: 413, error: 'payload_too_large' },
  { title: 'a missing signature before the repository', request: async () => ({ ...(await githubWith({ repository: { html_url: 'https://github.com/evil/repo' } })), headers: { 'x-github-event': 'push', 'x-github-delivery': 'd-1' } }), status: 401, error: 'missing_signature' },
  { title: 'the repository before the signature', request: () => githubRequest('push', JSON.stringify({ ...githubPush, repository: { html_url: 'https://github.com/evil/repo' } }), 'wrong'), status: 404, error: 'unknown_repository' },
  { title: 'the signature before the schema', request: () => githubRequest('push', JSON.stringify({ ...githubPush, ref: 'refs/heads/../x' }), 'wrong'), status: 401, error: 'invalid_signature' },
];

describe('readWebhook: bad input', () => {
  it.each(rows)('$title -> $status $error', async ({ request, status, error }) => {
    // Prepare
    const input = { ...(await request()), repositories, secretFor };

    // Act
    const outcome = await readWebhook(input);

    // Assess
    expect(outcome).toMatchObject({ kind: 'rejected', status, error });
    expect(outcome).not.toHaveProperty('events');
    assertSafeMessage(outcome);
  });

  it('keeps a deeply nested field the push does not use out of the way', async () => {
    // Prepare
    const body = JSON.stringify({ ...githubPush, extra: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', nested(100_000));
    const input = { ...(await withBody(github, body)), repositories, secretFor };

    // Act
    const outcome = await readWebhook(input);

    // Assess
    expect(outcome).toMatchObject({ kind: 'push', repository: 'hello-world' });
  });

  it('accepts a body just under a custom size limit and refuses one byte over it', async () => {
    // Prepare
    const request = await github();
    const size = Buffer.byteLength(githubBody);

    // Act
    const [under, over] = await Promise.all([
      readWebhook({ ...request, repositories, secretFor, maxBodyBytes: size }),
      readWebhook({ ...request, repositories, secretFor, maxBodyBytes: size - 1 }),
    ]);

    // Assess
    expect(under.kind).toBe('push');
    expect(over).toMatchObject({ kind: 'rejected', status: 413 });
  });

  it('lets a failing secret store throw: the host should retry, it was not the client\'s fault', async () => {
    // Prepare
    const input = { ...(await github()), repositories, secretFor: async () => Promise.reject(new Error('throttled')) };

    // Act
    const reading = readWebhook(input);

    // Assess
    await expect(reading).rejects.toThrow('throttled');
  });

  it('never accepts a forgery computed with an empty secret', async () => {
    // Prepare
    const body = JSON.stringify(bitbucketPush);
    const request = { ...(await bitbucket()), headers: { ...(await bitbucket()).headers, 'x-hub-signature': bitbucketSignature('', body) } };

    // Act
    const reading = readWebhook({ ...request, body, repositories, secretFor: async () => '' });

    // Assess
    await expect(reading).rejects.toThrow('empty');
  });
});

function assertSafeMessage(outcome: WebhookOutcome): void {
  if (outcome.kind !== 'rejected') return;
  expect(outcome.message).not.toMatch(/s3cret|wrong|\bat \w+ \(|Error:/);
  expect(outcome.message.length).toBeLessThan(300);
}
