import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { signApprovalLink } from '../../core/approval-links';
import { ReleaseConfig } from '../../core/config';
import { approvalPageHandler } from '../../lambdas/approval-page';
import { COMMIT, config, createFixture, pageEvent, PREVIOUS, SIGNING_KEY, type Fixture } from './approval-harness';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function expectHtmlHeaders(response: APIGatewayProxyResult): void {
  expect(response.headers).toMatchObject({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
}

/** Flips one character of a token to another of the base64url alphabet. */
function tamper(token: string, at = Math.floor(token.length / 2)): string {
  const char = token[at] === 'A' ? 'B' : 'A';
  return token.slice(0, at) + char + token.slice(at + 1);
}

describe('approval page (handler in process, DynamoDB Local)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });

  /** Nothing changed: still pending in the CMDB, and the workflow heard nothing more than `calls`. */
  async function expectUnchanged(approvalId: string, calls = 0): Promise<void> {
    expect((await f.db.approvals.getApproval(approvalId))?.status).toBe('pending');
    expect(f.workflows.calls).toBe(calls);
  }

  const link = (approvalId: string, approver: string, expiresAt: Date, key = SIGNING_KEY) => signApprovalLink({ approvalId, approver, expiresAt }, key);

  describe('GET and HEAD look and change nothing', () => {
    it('shows the decision: commit, message, author, requester, what runs now, changes, expiry and both forms', async () => {
      // Prepare
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;

      // Act
      const response = await f.handler(pageEvent('GET', approval.approvalId, { query: { t: token } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expectHtmlHeaders(response);
      const body = response.body;
      expect(body).toContain(COMMIT);
      expect(body).toContain(COMMIT.slice(0, 7));
      // The message is escaped, not markup.
      expect(body).toContain('Make &lt;checkout&gt; &quot;faster&quot; &amp; safer');
      expect(body).not.toContain('<checkout>');
      expect(body).toContain('Dev One &lt;dev@example.com&gt;');
      expect(body).toContain('alice@example.com');
      expect(body).toContain(PREVIOUS);
      expect(body).toContain(`https://github.com/acme/sample-service/compare/${PREVIOUS}...${COMMIT}`);
      expect(body).toContain('Approve before deploy');
      expect(body).toMatch(/Type <strong>production<\/strong> to confirm/);
      expect(body).toContain(`action="./${approval.approvalId}"`);
      expect(body).toContain('name="comment"');
      expect(body).toMatch(/<textarea[^>]*required/);
      expect(body).toContain('rm@example.com');
      expect(body).not.toContain(approval.taskToken);
      expect(body).not.toMatch(/<script|<link|<img|src=/i);
      await expectUnchanged(approval.approvalId, calls);
    });

    it('answers HEAD like GET, without a body, and changes nothing', async () => {
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;

      const response = await f.handler(pageEvent('HEAD', approval.approvalId, { query: { t: token } }));

      expect(response.statusCode).toBe(200);
      expectHtmlHeaders(response);
      expect(response.body).toBe('');
      await expectUnchanged(approval.approvalId, calls);
    });

    it('answers JSON to a client that asks for JSON only', async () => {
      const { approval, token } = await f.pending();

      const response = await f.handler(pageEvent('GET', approval.approvalId, { query: { t: token }, json: true }));

      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ approvalId: approval.approvalId, status: 'pending', approver: 'rm@example.com', commit: COMMIT });
      expect(response.body).not.toContain(approval.taskToken);
    });
  });

  describe('refuses bad links with 403 and changes nothing', () => {
    const cases: Array<[string, (id: string, token: string, expiresAt: Date) => { id?: string; t: string | undefined }]> = [
      ['forged (another key)', (id, _token, expiresAt) => ({ t: link(id, 'rm@example.com', expiresAt, 'not-the-key') })],
      ['tampered (one character flipped)', (_id, token) => ({ t: tamper(token) })],
      ['tampered (last character flipped)', (_id, token) => ({ t: tamper(token, token.length - 1) })],
      ['re-signed for a longer life without the key', (id, _token, expiresAt) => ({ t: link(id, 'rm@example.com', new Date(expiresAt.getTime() + 86_400_000), 'guess') })],
      ['missing', () => ({ t: undefined })],
      ['malformed', () => ({ t: '%%%not-base64%%%' })],
      ['empty', () => ({ t: '' })],
    ];

    it.each(cases)('%s: GET and POST', async (_name, make) => {
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;
      const { t } = make(approval.approvalId, token, new Date(approval.expiresAt));

      const get = await f.handler(pageEvent('GET', approval.approvalId, { query: t === undefined ? {} : { t } }));
      const post = await f.handler(pageEvent('POST', approval.approvalId, { form: { ...(t === undefined ? {} : { t }), decision: 'approve', confirm: 'production' } }));

      for (const response of [get, post]) {
        expect(response.statusCode).toBe(403);
        expectHtmlHeaders(response);
        expect(response.body).toContain('This link is not valid');
      }
      await expectUnchanged(approval.approvalId, calls);
    });

    it('a valid link of one approval used for another approval id', async () => {
      const first = await f.pending();
      const second = await f.pending();
      const calls = f.workflows.calls;

      const response = await f.handler(pageEvent('POST', second.approval.approvalId, { form: { t: first.token, decision: 'approve', confirm: 'production' } }));

      expect(response.statusCode).toBe(403);
      await expectUnchanged(second.approval.approvalId, calls);
      await expectUnchanged(first.approval.approvalId, calls);
    });

    it('an expired link', async () => {
      const { approval, token } = await f.pending({ timeoutSeconds: 60 });
      const calls = f.workflows.calls;
      f.clock.advance(61_000);

      const get = await f.handler(pageEvent('GET', approval.approvalId, { query: { t: token } }));
      const post = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'approve', confirm: 'production' } }));

      expect([get.statusCode, post.statusCode]).toEqual([403, 403]);
      expect(post.body).toContain('This link has expired');
      await expectUnchanged(approval.approvalId, calls);
    });

    it('a validly signed link for someone who is not an approver', async () => {
      const { approval } = await f.pending();
      const calls = f.workflows.calls;
      const t = link(approval.approvalId, 'mallory@example.com', new Date(approval.expiresAt));

      const get = await f.handler(pageEvent('GET', approval.approvalId, { query: { t } }));
      const post = await f.handler(pageEvent('POST', approval.approvalId, { form: { t, decision: 'approve', confirm: 'production' } }));

      expect([get.statusCode, post.statusCode]).toEqual([403, 403]);
      expect(post.body).toContain('mallory@example.com is not an approver of production');
      await expectUnchanged(approval.approvalId, calls);
    });

    it('the link of an approver removed from the config since it was sent', async () => {
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;
      const withoutRm = ReleaseConfig.parse({
        ...config,
        environments: config.environments.map((env) => (env.name === 'production' ? { ...env, approvers: ['cto@example.com'] } : env)),
      });
      const handler = approvalPageHandler({ approvals: f.approvals, releases: f.db.releases, pushes: f.db.pushes, config: withoutRm, signingKey: async () => SIGNING_KEY, clock: f.clock });

      const response = await handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'approve', confirm: 'production' } }));

      expect(response.statusCode).toBe(403);
      await expectUnchanged(approval.approvalId, calls);
    });

    it('answers 404 for an approval that does not exist, even with a valid signature', async () => {
      const t = link('a-doesnotexist', 'rm@example.com', new Date(f.clock.now().getTime() + 60_000));

      const response = await f.handler(pageEvent('GET', 'a-doesnotexist', { query: { t } }));

      expect(response.statusCode).toBe(404);
      expectHtmlHeaders(response);
    });
  });

  describe('POST decides once', () => {
    it('approves with the typed environment name and tells the workflow once', async () => {
      const { approval, token } = await f.pending();
      const before = f.workflows.successes.length;

      const response = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'approve', confirm: 'production' } }));

      expect(response.statusCode).toBe(200);
      expectHtmlHeaders(response);
      expect(response.body).toContain('Approved by rm@example.com');
      expect(f.workflows.successes.slice(before)).toEqual([{ taskToken: approval.taskToken, output: { decision: 'approve', by: 'rm@example.com' } }]);
      expect(await f.db.approvals.getApproval(approval.approvalId)).toMatchObject({ status: 'approved', decidedBy: 'rm@example.com' });
    });

    it('refuses a replay with 409 "already approved by X at T", telling the workflow nothing more', async () => {
      const { approval, token } = await f.pending();
      const form = { t: token, decision: 'approve', confirm: 'production' };
      await f.handler(pageEvent('POST', approval.approvalId, { form }));
      const calls = f.workflows.calls;

      const replay = await f.handler(pageEvent('POST', approval.approvalId, { form }));
      const reject = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'reject', comment: 'changed my mind' } }));
      const look = await f.handler(pageEvent('GET', approval.approvalId, { query: { t: token } }));

      expect(replay.statusCode).toBe(409);
      expect(replay.body).toContain('Already approved by rm@example.com at 2026-');
      expect(reject.statusCode).toBe(409);
      expect(look.statusCode).toBe(200);
      expect(look.body).toContain('Already approved by rm@example.com');
      expect(look.body).not.toContain('<form');
      expect(f.workflows.calls).toBe(calls);
    });

    it.each([
      ['no confirmation', {}],
      ['an empty confirmation', { confirm: '' }],
      ['another environment', { confirm: 'preproduction' }],
      ['the name in capitals', { confirm: 'Production' }],
    ])('refuses an approve with %s (400, the form again, nothing changed)', async (_name, extra) => {
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;

      const response = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'approve', ...extra } }));

      expect(response.statusCode).toBe(400);
      expectHtmlHeaders(response);
      expect(response.body).toContain("type the environment&#39;s name, production, to approve");
      expect(response.body).toContain('<form');
      await expectUnchanged(approval.approvalId, calls);
    });

    it('refuses a reject without a comment, then records one with a reason', async () => {
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;

      const bare = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'reject', comment: '   ' } }));
      await expectUnchanged(approval.approvalId, calls);
      const reasoned = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'reject', comment: 'breaks <b>checkout</b>' } }));

      expect(bare.statusCode).toBe(400);
      expect(bare.body).toContain('a rejection needs a comment');
      expect(reasoned.statusCode).toBe(200);
      expect(reasoned.body).toContain('Rejected by rm@example.com');
      expect(reasoned.body).toContain('breaks &lt;b&gt;checkout&lt;/b&gt;');
      expect(f.workflows.failures.at(-1)).toMatchObject({ taskToken: approval.taskToken, error: 'Rejected' });
      expect(JSON.parse(f.workflows.failures.at(-1)?.cause ?? '{}')).toEqual({ by: 'rm@example.com', comment: 'breaks <b>checkout</b>' });
      expect(f.workflows.calls).toBe(calls + 1);
    });

    it('lets exactly one of two approvers racing win; the other hears who did', async () => {
      const { approval } = await f.pending();
      const calls = f.workflows.calls;
      const expiresAt = new Date(approval.expiresAt);
      const post = (approver: string) =>
        f.handler(pageEvent('POST', approval.approvalId, { form: { t: link(approval.approvalId, approver, expiresAt), decision: 'approve', confirm: 'production' } }));

      const responses = await Promise.all([post('rm@example.com'), post('cto@example.com')]);

      expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 409]);
      const decided = await f.db.approvals.getApproval(approval.approvalId);
      expect(responses.find((response) => response.statusCode === 409)?.body).toContain(`Already approved by ${decided?.decidedBy}`);
      expect(f.workflows.calls).toBe(calls + 1);
    });

    it('takes a JSON body and answers JSON', async () => {
      const { approval, token } = await f.pending();

      const response = await f.handler(pageEvent('POST', approval.approvalId, { json: true, contentType: 'application/json', body: JSON.stringify({ t: token, decision: 'approve', confirm: 'production' }) }));
      const again = await f.handler(pageEvent('POST', approval.approvalId, { json: true, form: { t: token, decision: 'approve', confirm: 'production' } }));

      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(response.body)).toMatchObject({ approvalId: approval.approvalId, status: 'approved', decidedBy: 'rm@example.com' });
      expect(again.statusCode).toBe(409);
      expect(JSON.parse(again.body)).toMatchObject({ error: 'conflict', message: expect.stringContaining('approved by rm@example.com') });
    });

    it('refuses an unknown decision and an oversized body, changing nothing', async () => {
      const { approval, token } = await f.pending();
      const calls = f.workflows.calls;

      const unknown = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'maybe' } }));
      const huge = await f.handler(pageEvent('POST', approval.approvalId, { form: { t: token, decision: 'reject', comment: 'x'.repeat(20_000) } }));

      expect(unknown.statusCode).toBe(400);
      expect(unknown.body).toContain('choose Approve or Reject');
      expect(huge.statusCode).toBe(413);
      await expectUnchanged(approval.approvalId, calls);
    });
  });

  it('answers 405 to other methods and 503 without details when a dependency fails', async () => {
    const { approval, token } = await f.pending();
    const broken = approvalPageHandler({
      approvals: f.approvals,
      releases: f.db.releases,
      pushes: f.db.pushes,
      config,
      signingKey: async () => {
        throw new Error('AccessDeniedException: secret arn:aws:secretsmanager:eu-west-1:123:secret:x');
      },
      clock: f.clock,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });

    const put = await f.handler(pageEvent('PUT', approval.approvalId, { query: { t: token } }));
    const failed = await broken(pageEvent('GET', approval.approvalId, { query: { t: token } }));

    expect(put.statusCode).toBe(405);
    expect(failed.statusCode).toBe(503);
    expectHtmlHeaders(failed);
    expect(failed.body).not.toMatch(/AccessDenied|arn:/);
  });
});
