import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../cli/api-types';
import { renderApprovals } from '../../cli/render/approvals';
import { startFakeApi, type FakeApi } from './support/api-server';
import { EMPTY_STATUS, NOW, release, SHA_B, STATUS } from './support/fixtures';
import { runCot } from './support/run-cot';

/*
 * A promotion's pending approval has `repository` "*" and an empty commit (docs/architecture.md#promotions):
 * the CLI shows it as the product, with the number of repositories the promotion moves.
 */

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(async () => {
  await api.close();
});

const SHA_A = 'a'.repeat(40);
const members = ['api', 'web', 'worker'].map((repository, index) => ({ repository, commit: index === 1 ? SHA_B : SHA_A, state: 'awaiting_acceptance' }));
const PRODUCT_APPROVAL = { id: 'apr-p', releaseId: 'rel-p', repository: '*', environment: 'preproduction', commit: '', gate: 'accept', expiresAt: '2024-05-08T12:00:00Z' };
const BOARD = { ...STATUS, pendingApprovals: [...STATUS.pendingApprovals, PRODUCT_APPROVAL] };
const promotion = (state: string) =>
  release(state, [{ state: 'prepared', at: '2024-05-01T11:00:00Z', by: 'alice' }, { state, at: '2024-05-01T11:01:00Z', by: 'codebuild' }], { releaseId: 'rel-p', repository: '*', commit: '', members });

describe('a promotion\'s pending approval in the CLI', () => {
  it('renders as the product with its member count, and no commit', () => {
    const approvals = Status.parse({ ...EMPTY_STATUS, pendingApprovals: [{ ...PRODUCT_APPROVAL, members: 3 }, { ...PRODUCT_APPROVAL, id: 'apr-q' }] }).pendingApprovals;

    const text = renderApprovals(approvals, { color: false, now: NOW });

    expect(text).toBe(`id     repository                environment    commit  gate    expires
apr-p  product (3 repositories)  preproduction  -       accept  in 7d
apr-q  product                   preproduction  -       accept  in 7d

Decide with: cot approve apr-p [--comment ...] | cot reject apr-p --comment <reason>
`);
  });

  it('cot approvals and cot status look the promotion up for its members', async () => {
    api.handle((request) => (request.url === '/api/status' ? { status: 200, body: BOARD } : { status: 200, body: promotion('awaiting_acceptance') }));

    const approvals = await runCot(['--endpoint', api.url, 'approvals'], { now: () => NOW });
    const status = await runCot(['--endpoint', api.url, 'status'], { now: () => NOW });

    expect(approvals).toMatchObject({ code: 0, stderr: '' });
    expect(approvals.stdout).toMatch(/^apr-p +product \(3 repositories\) +preproduction +- +accept +in 7d$/m);
    expect(approvals.stdout).toMatch(/^apr-accept-1 +sample-service +preproduction +9e8d7c6 +accept/m);
    expect(approvals.stdout).not.toContain('*');
    expect(status.stdout).toMatch(/^ +apr-p +product \(3 repositories\) +preproduction +- +accept/m);
    expect(api.requests.filter((request) => request.url === '/api/releases/rel-p')).toHaveLength(2);
  });

  it('cot promote --wait names the product in the approval hint line', async () => {
    let polls = 0;
    api.handle((request) => {
      if (request.method === 'POST') return { status: 202, body: { releaseId: 'rel-p', members } };
      if (request.url === '/api/status') return { status: 200, body: BOARD };
      return { status: 200, body: promotion(++polls < 3 ? 'awaiting_acceptance' : 'accepted') };
    });

    const run = await runCot(['--endpoint', api.url, 'promote', 'preproduction', '--wait'], { now: () => NOW });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  apr-p (accept of product (3 repositories) in preproduction, expires in 7d): cot approve apr-p  or  cot reject apr-p --comment <reason>\n');
    expect(run.stdout).not.toContain('accept of  in');
  });
});
