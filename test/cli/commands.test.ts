import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi, type Reply } from './support/api-server';
import { HISTORY_PAGE, RELEASE, SHA_B, STATUS } from './support/fixtures';
import { runCot } from './support/run-cot';

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(async () => {
  await api.close();
});

/** Answers by "METHOD /path" (query ignored); anything else is a 404 like the API's. */
function routes(table: Record<string, Reply | (() => Reply)>): void {
  api.handle((request) => {
    const route = table[`${request.method} ${request.url.split('?')[0]}`];
    if (route === undefined) return { status: 404, body: { error: 'not_found', message: `no route ${request.method} ${request.url}` } };
    return typeof route === 'function' ? route() : route;
  });
}

const cot = (...args: string[]) => runCot(['--endpoint', api.url, ...args]);

describe('requests each command makes', () => {
  it.each([
    [['status'], 'GET', '/api/status', undefined],
    [['approvals'], 'GET', '/api/status', undefined],
    [['history', 'sample-service', 'production', '--limit', '5', '--cursor', 'abc='], 'GET', '/api/history/sample-service/production?limit=5&cursor=abc%3D', undefined],
    [['show', 'rel-1'], 'GET', '/api/releases/rel-1', undefined],
    [['release', 'sample-service', 'preproduction', 'v1.4.0'], 'POST', '/api/releases', { repository: 'sample-service', environment: 'preproduction', ref: 'v1.4.0' }],
    [['rollback', 'sample-service', 'production'], 'POST', '/api/rollbacks', { repository: 'sample-service', environment: 'production' }],
    [['rollback', 'sample-service', 'production', '--to', '4f9c2e1'], 'POST', '/api/rollbacks', { repository: 'sample-service', environment: 'production', to: '4f9c2e1' }],
    [['approve', 'apr-1'], 'POST', '/api/approvals/apr-1', { decision: 'approve' }],
    [['approve', 'apr-1', '--comment', 'ok'], 'POST', '/api/approvals/apr-1', { decision: 'approve', comment: 'ok' }],
    [['reject', 'apr-1', '--comment', 'broken checkout'], 'POST', '/api/approvals/apr-1', { decision: 'reject', comment: 'broken checkout' }],
    [['resume', 'sample-service', 'integration'], 'POST', '/api/resume', { repository: 'sample-service', environment: 'integration' }],
  ])('cot %j sends %s %s', async (args, method, url, body) => {
    // Prepare
    routes({
      'GET /api/status': { status: 200, body: STATUS },
      'GET /api/history/sample-service/production': { status: 200, body: HISTORY_PAGE },
      'GET /api/releases/rel-1': { status: 200, body: RELEASE },
      'POST /api/releases': { status: 202, body: { releaseId: 'rel-1' } },
      'POST /api/rollbacks': { status: 202, body: { releaseId: 'rel-2' } },
      'POST /api/approvals/apr-1': { status: 200, body: { approvalId: 'apr-1', releaseId: 'rel-1' } },
      'POST /api/resume': { status: 200, body: { repository: 'sample-service', environment: 'integration', held: false } },
    });
    // Act
    const run = await cot(...args);
    // Assess
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method, url, body });
    if (body) expect(api.requests[0]?.headers['content-type']).toBe('application/json');
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('--json prints the API answer and nothing else', () => {
  it.each([
    [['status', '--json'], 'GET /api/status', STATUS, STATUS],
    [['history', 'sample-service', 'production', '--json'], 'GET /api/history/sample-service/production', HISTORY_PAGE, HISTORY_PAGE],
    [['show', 'rel-1', '--json'], 'GET /api/releases/rel-1', { ...RELEASE, addedLater: { x: 1 } }, { ...RELEASE, addedLater: { x: 1 } }],
    [['approvals', '--json'], 'GET /api/status', STATUS, STATUS.pendingApprovals],
    [['release', 'sample-service', 'preproduction', 'v1.4.0', '--json'], 'POST /api/releases', { releaseId: 'rel-1' }, { releaseId: 'rel-1' }],
  ])('cot %j', async (args, route, answer, printed) => {
    routes({ [route]: { status: route.startsWith('POST') ? 202 : 200, body: answer } });
    const run = await cot(...args);
    expect(run).toEqual({ code: 0, stdout: `${JSON.stringify(printed, null, 2)}\n`, stderr: '' });
  });
});

describe('output for people', () => {
  it('status renders the board', async () => {
    routes({ 'GET /api/status': { status: 200, body: STATUS } });
    const run = await cot('status');
    expect(run.stdout).toMatch(/^repository {6}integration {7}preproduction {16}production\nsample-service {2}4f9c2e1 accepted {2}9e8d7c6 awaiting_acceptance {2}-\n/);
    expect(run.stdout).toContain('apr-accept-1');
  });

  it('release says which release started and how to follow it', async () => {
    routes({ 'POST /api/releases': { status: 202, body: { releaseId: 'rel-9' } } });
    const run = await cot('release', 'sample-service', 'preproduction', '4f9c2e1');
    expect(run.stdout).toBe('Release of sample-service 4f9c2e1 to preproduction prepared: rel-9\nFollow it: cot show rel-9  (or start it with --wait)\n');
  });
});

describe('exit codes', () => {
  it('409 is an input error (2) and prints the API message', async () => {
    routes({ 'POST /api/releases': { status: 409, body: { error: 'conflict', message: `${SHA_B} is not accepted in integration` } } });
    const run = await cot('release', 'sample-service', 'preproduction', SHA_B);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${SHA_B} is not accepted in integration\n` });
  });

  it('404 is an input error (2)', async () => {
    routes({});
    expect((await cot('show', 'nope')).code).toBe(2);
  });

  it('500 is a failure (1)', async () => {
    routes({ 'GET /api/status': { status: 500, body: { error: 'internal', message: 'something broke' } } });
    expect(await cot('status')).toEqual({ code: 1, stdout: '', stderr: 'something broke\n' });
  });

  it('an answer without our error shape still says something (API Gateway: {message})', async () => {
    routes({ 'GET /api/status': { status: 403, body: { message: 'Missing Authentication Token' } } });
    expect(await cot('status')).toMatchObject({ code: 2, stderr: 'Missing Authentication Token\n' });
  });

  it('an unreachable endpoint is a failure (1) with a hint', async () => {
    const closed = await startFakeApi();
    await closed.close();
    const run = await runCot(['--endpoint', closed.url, 'status']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `cannot reach ${closed.url}: is \`npm start\` running?\n` });
  });

  it.each([
    [['reject', 'apr-1'], /required option '--comment <text>' not specified/],
    [['reject', 'apr-1', '--comment', '  '], /must not be empty/],
    [['bogus'], /unknown command 'bogus'/],
    [['status', '--bogus'], /unknown option '--bogus'/],
    [['history', 'sample-service'], /missing required argument 'env'/],
    [['history', 'Sample', 'production'], /lowercase letters, digits and dashes/],
    [['history', 'sample-service', 'production', '--limit', '0'], /at least 1/],
    [['release', 'sample-service', 'production', 'v1', '--wait', '--timeout', 'soon'], /90s, 30m, 12h or 3d/],
    [[], /Usage: cot/],
  ])('cot %j is a usage error (2), nothing sent', async (args, message) => {
    routes({});
    const run = await cot(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });

  it('--help is 0 and documents the exit codes', async () => {
    const run = await runCot(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit codes:\n  0  done');
  });

  it('a bad --endpoint is a usage error (2)', async () => {
    expect(await runCot(['--endpoint', 'nowhere', 'status'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--endpoint: "nowhere" is not a URL/) });
  });

});

describe('where the API is', () => {
  it('COT_ENDPOINT is used when --endpoint is not given', async () => {
    routes({ 'GET /api/status': { status: 200, body: STATUS } });
    expect((await runCot(['status'], { env: { COT_ENDPOINT: api.url } })).code).toBe(0);
    expect(api.requests).toHaveLength(1);
  });

  it('--endpoint aws reads ApiUrl from the <product>-release stack and keeps its stage path', async () => {
    routes({ 'GET /prod/api/status': { status: 200, body: STATUS } });
    const stacks: string[] = [];
    const stackOutputs = async (name: string) => {
      stacks.push(name);
      return { ApiUrl: `${api.url}/prod/` };
    };
    const run = await runCot(['--endpoint', 'aws', 'status'], { stackOutputs });
    expect(run.code).toBe(0);
    expect(stacks).toEqual(['sample-service-release']);
    expect(api.requests[0]?.url).toBe('/prod/api/status');
  });

  it('a stack without ApiUrl is an input error (2)', async () => {
    const run = await runCot(['--stack', 'other', 'status'], { stackOutputs: async () => ({}) });
    expect(run).toMatchObject({ code: 2, stderr: 'stack other has no ApiUrl output: is it a codeontap-release stack?\n' });
  });
});
