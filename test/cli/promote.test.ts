import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from './support/api-server';
import { release, SHA_B } from './support/fixtures';
import { runCot } from './support/run-cot';

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(async () => {
  await api.close();
});

const cot = (...args: string[]) => runCot(['--endpoint', api.url, ...args]);
const SHA_A = 'a'.repeat(40);
const members = [{ repository: 'api', commit: SHA_A }, { repository: 'web', commit: SHA_B }];
const history = (...states: string[]) => states.map((state, index) => ({ state, at: `2024-05-01T11:0${index}:00Z`, by: 'alice' }));
const promotion = (state: string, memberState: string) =>
  release(state, history('prepared', 'deploying', 'testing', state), { releaseId: 'rel-p', repository: '*', commit: '', members: members.map((member) => ({ ...member, state: memberState })) });

describe('cot promote and cot rollback --product', () => {
  it.each([
    [['promote', 'preproduction'], 'POST', '/api/promotions', { environment: 'preproduction' }],
    [['promote', 'production', '--only', 'api,web'], 'POST', '/api/promotions', { environment: 'production', repositories: ['api', 'web'] }],
    [['rollback', 'production', '--product'], 'POST', '/api/rollbacks', { environment: 'production' }],
    [['promote', 'production', '--override', 'INC-42 hotfix'], 'POST', '/api/promotions', { environment: 'production', override: 'INC-42 hotfix' }],
  ])('cot %j sends %s %s', async (args, method, url, body) => {
    api.handle(() => ({ status: 202, body: { releaseId: 'rel-p', members } }));

    const run = await cot(...args);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(api.requests.at(-1)).toMatchObject({ method, url, body });
  });

  it('names the members it prepared', async () => {
    api.handle(() => ({ status: 202, body: { releaseId: 'rel-p', members } }));

    const run = await cot('promote', 'preproduction');

    expect(run.stdout).toBe(`Promotion to preproduction of api aaaaaaa, web ${SHA_B.slice(0, 7)} prepared: rel-p\nFollow it: cot show rel-p  (or start it with --wait)\n`);
  });

  it.each([
    ['accepted', 'accepted', 0],
    ['failed', 'failed', 1],
  ])('with --wait, follows the promotion to %s (members %s) and exits %i, listing each member', async (state, memberState, code) => {
    api.handle((request) => (request.method === 'POST' ? { status: 202, body: { releaseId: 'rel-p', members } } : { status: 200, body: promotion(state, memberState) }));

    const run = await cot('promote', 'preproduction', '--wait');

    expect(run.code).toBe(code);
    expect(run.stdout).toContain(`Promotion rel-p ${state}: api aaaaaaa (${memberState}), web ${SHA_B.slice(0, 7)} (${memberState}) in preproduction`);
  });

  it.each([
    [['promote', 'preproduction', '--only', ','], /name at least one repository/],
    [['rollback', 'production', 'extra', '--product'], /with --product: cot rollback <env> --product/],
    [['rollback', 'production'], /missing argument <env>/],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    const run = await cot(...args);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 with the window and its reason when the environment is frozen, and refuses a blank override as a usage error', async () => {
    const message = 'production is frozen until 2027-01-05T23:00:00.000Z: Year-end freeze; to release anyway, pass an override saying why (cot release ... --override "why")';
    api.handle(() => ({ status: 409, body: { error: 'frozen', message } }));

    const frozen = await cot('promote', 'production');
    const blank = await cot('promote', 'production', '--override', '  ');

    expect(frozen.code).toBe(2);
    expect(frozen.stderr).toContain(message);
    expect(blank.code).toBe(2);
    expect(api.requests.at(-1)?.body).toEqual({ environment: 'production' });
  });

  it('exits 2 with the API\'s reason when there is nothing to promote', async () => {
    api.handle(() => ({ status: 409, body: { error: 'conflict', message: 'nothing to promote into preproduction: api, web already run what is accepted in integration' } }));

    const run = await cot('promote', 'preproduction');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing to promote into preproduction');
  });
});
