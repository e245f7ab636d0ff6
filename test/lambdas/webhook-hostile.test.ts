import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../core/ports';
import { webhookHandler } from '../../lambdas/webhook';
import { createTestCmdb } from '../support/dynamo';
import {
  bitbucketRequest,
  bitbucketSignature,
  fixture,
  githubExamples,
  githubRequest,
  gitlabRequest,
  repositories,
  secretOf,
  signedLike,
  type Request,
} from '../core/webhooks/webhook-requests';
import { apiEvent, configTracking, RecordingEngine, recordingLogger, secretStore } from './webhook-harness';

/**
 * Hostile requests through the whole handler, with the CMDB on DynamoDB Local: none may be answered
 * 5xx, none may start a workflow, and no error body may carry a secret or a stack trace.
 */

const clock: Clock = { now: () => new Date() };
const githubPush = githubExamples('push')[4] as Record<string, unknown>;
const gitlabPush = fixture('gitlab-push.json');
const bitbucketPush = fixture('bitbucket-push.json');
const githubBody = JSON.stringify(githubPush);
const firstChange = (bitbucketPush.push as { changes: Array<Record<string, unknown>> }).changes[0];

const github = () => githubRequest('push', githubBody);
const gitlab = () => gitlabRequest('Push Hook', JSON.stringify(gitlabPush));
const bitbucket = () => bitbucketRequest('repo:push', JSON.stringify(bitbucketPush));
type Make = () => Request | Promise<Request>;

const withHeaders = async (make: Make, headers: Record<string, string | undefined>): Promise<Request> => {
  const request = await make();
  return { ...request, headers: { ...request.headers, ...headers } };
};
const withBody = async (make: Make, body: string | Buffer) => signedLike(await make(), body);
const githubWith = (fields: Record<string, unknown>) => withBody(github, JSON.stringify({ ...githubPush, ...fields }));
const gitlabWith = (fields: Record<string, unknown>) => withBody(gitlab, JSON.stringify({ ...gitlabPush, ...fields }));
const bitbucketWith = (fields: Record<string, unknown>) => withBody(bitbucket, JSON.stringify({ ...bitbucketPush, ...fields }));
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const signatureOf = async (make: Make, header: string) => (await make()).headers[header] ?? '';

const SECRETS = repositories.map((repository) => secretOf(repository.name));
const PROVIDERS: Array<[string, Make, string]> = [
  ['GitHub', github, 'x-hub-signature-256'],
  ['Bitbucket', bitbucket, 'x-hub-signature'],
];

const table: Array<[string, Make]> = [
  ['unknown provider', async () => ({ ...(await github()), provider: 'gitea' })],
  ['provider __proto__', async () => ({ ...(await github()), provider: '__proto__' })],
  ['provider constructor', async () => ({ ...(await github()), provider: 'constructor' })],
  ['provider in capitals', async () => ({ ...(await github()), provider: 'GITHUB' })],
  ['empty provider', async () => ({ ...(await github()), provider: '' })],
  ['12 MB body, validly signed', () => withBody(github, `{"x":"${'a'.repeat(12 * 1024 * 1024)}"}`)],
  ['6 MB body without headers', async () => ({ provider: 'gitlab', headers: {}, body: 'x'.repeat(6 * 1024 * 1024) })],

  ...PROVIDERS.flatMap(([name, make, header]): Array<[string, Make]> => [
    [`${name}: signed with another secret`, async () => withHeaders(make, { [header]: bitbucketSignature('wrong', JSON.stringify(name === 'GitHub' ? githubPush : bitbucketPush)) })],
    [`${name}: signed with another repository's secret`, async () => withHeaders(make, { [header]: bitbucketSignature(secretOf('octo-hello'), JSON.stringify(name === 'GitHub' ? githubPush : bitbucketPush)) })],
    [`${name}: truncated signature`, async () => withHeaders(make, { [header]: (await signatureOf(make, header)).slice(0, -3) })],
    [`${name}: signature with a byte more`, async () => withHeaders(make, { [header]: `${await signatureOf(make, header)}0` })],
    [`${name}: non-hex signature`, () => withHeaders(make, { [header]: `sha256=${'g'.repeat(64)}` })],
    [`${name}: sha1 signature`, () => withHeaders(make, { [header]: `sha1=${'a'.repeat(40)}` })],
    [`${name}: md5 signature`, () => withHeaders(make, { [header]: `md5=${'a'.repeat(32)}` })],
    [`${name}: empty signature`, () => withHeaders(make, { [header]: '' })],
    [`${name}: no signature`, () => withHeaders(make, { [header]: undefined })],
    [`${name}: the secret itself as the signature`, () => withHeaders(make, { [header]: `sha256=${secretOf(name === 'GitHub' ? 'hello-world' : 'payments')}` })],
    [`${name}: valid signature of another body`, async () => ({ ...(await make()), body: '{"changed":true}' })],
    [`${name}: upper-case hex of another secret`, async () => withHeaders(make, { [header]: `sha256=${createHmac('sha256', 'x').update('y').digest('hex').toUpperCase()}` })],
  ]),
  ['GitHub: sha1 header only', () => withHeaders(github, { 'x-hub-signature-256': undefined, 'x-hub-signature': `sha1=${'a'.repeat(40)}` })],
  ['GitLab: wrong token', () => withHeaders(gitlab, { 'x-gitlab-token': 'wrong' })],
  ['GitLab: another repository\'s token', () => withHeaders(gitlab, { 'x-gitlab-token': secretOf('payments') })],
  ['GitLab: token with a trailing space', () => withHeaders(gitlab, { 'x-gitlab-token': `${secretOf('diaspora')} ` })],
  ['GitLab: prefix of the token', () => withHeaders(gitlab, { 'x-gitlab-token': secretOf('diaspora').slice(0, -1) })],
  ['GitLab: empty token', () => withHeaders(gitlab, { 'x-gitlab-token': '' })],
  ['GitLab: no token', () => withHeaders(gitlab, { 'x-gitlab-token': undefined })],

  ['GitHub: no event', () => withHeaders(github, { 'x-github-event': undefined })],
  ['GitHub: no delivery', () => withHeaders(github, { 'x-github-delivery': undefined })],
  ['GitHub: delivery with #', () => withHeaders(github, { 'x-github-delivery': 'a#b' })],
  ['GitHub: delivery with a newline', () => withHeaders(github, { 'x-github-delivery': 'a\nb' })],
  ['GitHub: overlong delivery', () => withHeaders(github, { 'x-github-delivery': 'a'.repeat(200) })],
  ['GitLab: no event', () => withHeaders(gitlab, { 'x-gitlab-event': undefined })],
  ['GitLab: no delivery', () => withHeaders(gitlab, { 'x-gitlab-event-uuid': undefined })],
  ['Bitbucket: no event', () => withHeaders(bitbucket, { 'x-event-key': undefined })],
  ['Bitbucket: no delivery', () => withHeaders(bitbucket, { 'x-request-uuid': undefined })],

  ['empty body', () => withBody(github, '')],
  ['not JSON', () => withBody(github, 'hello')],
  ['truncated JSON', () => withBody(github, githubBody.slice(0, -1))],
  ['form-encoded', () => withBody(github, `payload=${encodeURIComponent(githubBody)}`)],
  ['JSON array', () => withBody(github, '[]')],
  ['JSON null', () => withBody(gitlab, 'null')],
  ['JSON number', () => withBody(bitbucket, '42')],
  ['100k nested arrays', () => withBody(github, nested(100_000))],
  ['100k nested objects', () => withBody(gitlab, '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000))],
  ['random bytes', () => withBody(bitbucket, randomBytes(64 * 1024))],
  ['invalid UTF-8', () => withBody(github, Buffer.concat([Buffer.from('{"ref":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]))],
  ['byte order mark', () => withBody(github, `\uFEFF${githubBody}`)],
  ['NUL bytes', () => withBody(github, `${githubBody}\u0000`)],

  ['GitHub: ref is a number', () => githubWith({ ref: 42 })],
  ['GitHub: ref is an array', () => githubWith({ ref: ['refs/heads/master'] })],
  ['GitHub: after is not hex', () => githubWith({ after: 'g'.repeat(40) })],
  ['GitHub: after is 39 digits', () => githubWith({ after: 'a'.repeat(39) })],
  ['GitHub: deleted is a string', () => githubWith({ deleted: 'no' })],
  ['GitHub: head commit id is not a sha', () => githubWith({ head_commit: { ...(githubPush.head_commit as object), id: 'HEAD' } })],
  ['GitHub: repository is a string', () => githubWith({ repository: 'Codertocat/Hello-World' })],
  ['GitHub: repository missing', () => githubWith({ repository: undefined })],
  ['GitHub: pushed ref at nothing', () => githubWith({ after: '0'.repeat(40), head_commit: null })],
  ['GitHub: unknown repository', () => githubWith({ repository: { html_url: 'https://github.com/evil/repo', full_name: 'evil/repo' } })],
  ['GitHub: GitLab repository URL', () => githubWith({ repository: { html_url: 'https://example.com/mike/diaspora', full_name: 'mike/diaspora' } })],
  ['GitHub: javascript: URL', () => githubWith({ repository: { html_url: 'javascript:alert(1)' } })],
  ['GitLab: commits is an object', () => gitlabWith({ commits: {} })],
  ['GitLab: checkout_sha is a branch', () => gitlabWith({ checkout_sha: 'main' })],
  ['GitLab: project null', () => gitlabWith({ project: null })],
  ['GitLab: unknown project', () => gitlabWith({ project: { web_url: 'https://example.com/x/y', path_with_namespace: 'x/y' } })],
  ['GitLab: ref with ..', () => gitlabWith({ ref: 'refs/heads/../../x' })],
  ['Bitbucket: changes is a string', () => bitbucketWith({ push: { changes: 'main' } })],
  ['Bitbucket: short hash', () => bitbucketWith({ push: { changes: [{ old: null, new: { type: 'branch', name: 'main', target: { hash: 'c2e6dd5' } } }] } })],
  ['Bitbucket: unknown repository', () => bitbucketWith({ repository: { full_name: 'a/b', links: { html: { href: 'https://bitbucket.org/a/b' } } } })],
  ['Bitbucket: branch ../x', () => bitbucketWith({ push: { changes: [{ ...firstChange, new: { ...(firstChange?.new as object), name: '../x' } }] } })],

  ...[
    'refs/heads/../x', 'refs/heads/a..b', 'refs/heads/x\u0000y', 'refs/heads/x\ny', 'refs/heads/-rf', 'refs/heads/x y',
    `refs/heads/${'x'.repeat(300)}`, 'refs/heads/', 'refs/heads/foo.lock', 'refs/heads/.hidden', 'refs/heads/a//b',
    'refs/heads/x@{1}', 'refs/heads/a\\b', 'refs/heads/a:b', 'refs/heads/\u202eevil', 'refs/../../etc/passwd', 'master', '',
  ].map((ref): [string, Make] => [`ref ${JSON.stringify(ref).slice(0, 30)}`, () => githubWith({ ref })]),
];

/** Everything a hostile answer may be: never 5xx. 200/202 only for what needs no verification (an unclaimed ping). */
const ALLOWED = [200, 202, 400, 401, 404, 413];

function assertSafe(answer: APIGatewayProxyResult): void {
  expect(ALLOWED).toContain(answer.statusCode);
  for (const secret of SECRETS) expect(answer.body).not.toContain(secret);
  expect(answer.body).not.toMatch(/\bat \S+ \(|\bat file:|Error:|node_modules/);
  if (answer.statusCode >= 400) expect(Object.keys(JSON.parse(answer.body) as object).sort()).toEqual(['error', 'message']);
}

describe('webhook handler: hostile requests (CMDB on DynamoDB Local)', () => {
  const workflows = new RecordingEngine();
  const logger = recordingLogger();
  let handle: ReturnType<typeof webhookHandler>;
  const statuses: number[] = [];

  beforeAll(async () => {
    const { deliveries, pushes } = await createTestCmdb('acme');
    handle = webhookHandler({ config: configTracking('master'), deliveries, pushes, workflows, secrets: secretStore, clock, logger });
  });

  afterAll(() => {
    // Over a hundred hostile requests, none answered 5xx, none started anything.
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(workflows.starts).toEqual([]);
  });

  it(`refuses every request of the table (${table.length})`, async () => {
    for (const [title, make] of table) {
      // Act
      const answer = await handle(apiEvent(await make()));

      // Assess
      statuses.push(answer.statusCode);
      expect.soft(answer.statusCode, title).toBeGreaterThanOrEqual(400);
      assertSafe(answer);
    }
    expect(workflows.starts).toEqual([]);
  });

  it('never answers 5xx nor starts a workflow for generated hostile requests', async () => {
    const bases = { github: githubPush, gitlab: gitlabPush, bitbucket: bitbucketPush };
    const events = { github: 'push', gitlab: 'Push Hook', bitbucket: 'repo:push' };
    const required = { github: ['ref', 'after', 'before', 'deleted', 'repository', 'pusher'], gitlab: ['ref', 'checkout_sha', 'project', 'commits'], bitbucket: ['push', 'repository'] };
    // Values of a type no required field takes (null, {}, [] and booleans are right for some of them).
    const notAString = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.array(fc.string(), { minLength: 1, maxLength: 2 }));

    const request = fc.constantFrom('github' as const, 'gitlab' as const, 'bitbucket' as const).chain((provider) =>
      fc.record({
        provider: fc.oneof({ arbitrary: fc.constant<string>(provider), weight: 6 }, fc.string({ maxLength: 10 })),
        kind: fc.constantFrom('valid body, bad signature', 'signed garbage', 'signed wrong type', 'signed ref trick'),
        body: fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes))),
        field: fc.constantFrom(...required[provider]),
        value: notAString,
        ref: fc.constantFrom('refs/heads/../master', 'refs/heads/-master', 'refs/heads/mas\u0000ter', 'refs/heads/master.lock', 'refs/heads/ma ster', 'refs/heads/master/'),
        signature: fc.oneof(fc.constant('wrong'), fc.constant(''), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.string({ maxLength: 80 })),
        deliveryId: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
        base: fc.constant(provider),
      }),
    );

    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        // Prepare
        const base = bases[input.base];
        const body: string | Buffer =
          input.kind === 'valid body, bad signature' ? JSON.stringify(base)
          : input.kind === 'signed garbage' ? input.body instanceof Buffer ? input.body : typeof input.body === 'string' ? input.body : JSON.stringify(input.body)
          : input.kind === 'signed wrong type' ? JSON.stringify({ ...base, [input.field]: input.value })
          : JSON.stringify({ ...base, ref: input.ref });
        const secret = secretOf(input.base === 'github' ? 'hello-world' : input.base === 'gitlab' ? 'diaspora' : 'payments');
        const key = input.kind === 'valid body, bad signature' ? `not-${secret}-${input.signature}` : secret;
        const hmac = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
        const headers: Record<string, string> = {
          'x-github-event': events[input.base], 'x-gitlab-event': events[input.base], 'x-event-key': events[input.base],
          'x-github-delivery': input.deliveryId || randomUUID(), 'x-gitlab-event-uuid': input.deliveryId || randomUUID(), 'x-request-uuid': input.deliveryId || randomUUID(),
          'x-hub-signature-256': hmac, 'x-hub-signature': hmac, 'x-gitlab-token': key,
        };

        // Act
        const answer = await handle(apiEvent({ provider: input.provider, headers, body }));

        // Assess
        statuses.push(answer.statusCode);
        assertSafe(answer);
        expect(workflows.starts).toEqual([]);
      }),
      { numRuns: 150 },
    );
    // Not vacuous: the generated requests got past the signature check as well as failing it.
    expect(statuses.slice(table.length)).toEqual(expect.arrayContaining([400, 401]));
  });
});
