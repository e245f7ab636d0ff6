import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cot, LocalModeProcess } from './local-mode-process';

interface BoardCellView {
  commit: string;
  acceptedCommit: string | null;
  state: string;
  releaseId: string;
  held: boolean;
}
interface Status {
  environments: string[];
  repositories: Array<{ name: string; environments: Record<string, BoardCellView | null> }>;
  pendingApprovals: Array<{ id: string; repository: string; environment: string; commit: string; gate: string; expiresAt: string }>;
}

/**
 * A newcomer's afternoon, end to end: local mode as a child process; a `git commit` reaches integration
 * through the post-commit hook's signed webhook; releases go up through the emailed approval links;
 * refusals, a rejected acceptance with autoRollback, a rollback and the history; and the CLI's exit codes.
 */
describe('local mode end to end', () => {
  let local: LocalModeProcess;
  let links = 0;
  beforeAll(async () => {
    local = await LocalModeProcess.start();
  }, 120_000);
  afterAll(async () => {
    expect(await local.stop()).toBe(0);
  }, 30_000);

  const cell = async (environment: string) => (await local.api<Status>('GET', '/api/status')).body.repositories[0]?.environments[environment] ?? null;
  const releaseState = async (releaseId: string) => (await local.api<{ state: string }>('GET', `/api/releases/${releaseId}`)).body.state;

  async function reachesIntegration(message: string, files: Record<string, string | null> = {}): Promise<string> {
    const commit = await local.commit(message, files);
    await local.until(async () => (await cell('integration'))?.acceptedCommit === commit, 60_000, `${commit} accepted in integration`);
    return commit;
  }

  /** Opens the next emailed link (the page changes nothing), then decides with the form, as a browser does. */
  async function decideByEmail(environment: string, decision: 'approve' | 'reject', comment?: string) {
    const link = await local.nextLink(links++);
    const page = await fetch(link);
    const html = await page.text();
    expect(page.status).toBe(200);
    const t = new URL(link).searchParams.get('t')!;
    const form = new URLSearchParams({ t, decision, ...(decision === 'approve' ? { confirm: environment } : { comment: comment ?? '' }) });
    const answer = await fetch(link.split('?')[0]!, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.status).toBe(200);
    return html;
  }

  async function release(environment: string, ref: string): Promise<string> {
    const answer = await local.api<{ releaseId: string }>('POST', '/api/releases', { repository: 'sample-service', environment, ref });
    expect(answer.status).toBe(202);
    return answer.body.releaseId;
  }

  let first: string;

  it('takes a git commit to integration with no other command', async () => {
    first = await reachesIntegration('First change');

    expect(await cell('integration')).toMatchObject({ commit: first, acceptedCommit: first, state: 'accepted', held: false });
    expect(local.output).toContain(`${first.slice(0, 7)}  integration  pushed to main: "First change"`);
  }, 90_000);

  it('releases it to preproduction and production through the emailed links', async () => {
    const pre = await release('preproduction', first.slice(0, 7));
    const page = await decideByEmail('preproduction', 'approve');
    await local.until(async () => (await releaseState(pre)) === 'accepted', 30_000, 'accepted in preproduction');
    expect(page).toContain(first);

    const prod = await release('production', first);
    await decideByEmail('production', 'approve');
    await decideByEmail('production', 'approve');
    await local.until(async () => (await releaseState(prod)) === 'accepted', 30_000, 'accepted in production');

    expect(await cell('production')).toMatchObject({ commit: first, acceptedCommit: first, state: 'accepted' });
  }, 90_000);

  it('refuses a commit that is not accepted in the environment below', async () => {
    const second = await reachesIntegration('Second change');

    const refused = await local.api<{ error: string; message: string }>('POST', '/api/releases', { repository: 'sample-service', environment: 'production', ref: second });

    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(`${second.slice(0, 7)} is not accepted in preproduction`);
  }, 90_000);

  it('rolls production back when its acceptance is rejected (autoRollback)', async () => {
    const second = (await cell('integration'))!.commit;
    const pre = await release('preproduction', second);
    await decideByEmail('preproduction', 'approve');
    await local.until(async () => (await releaseState(pre)) === 'accepted', 30_000, 'accepted in preproduction');
    const prod = await release('production', second);
    await decideByEmail('production', 'approve');

    await decideByEmail('production', 'reject', 'checkout is slower');

    await local.until(async () => (await releaseState(prod)) === 'rejected' && (await cell('production'))?.commit === first && (await cell('production'))?.state === 'accepted', 60_000, 'the rollback');
    const history = await local.api<{ items: Array<{ commit: string; kind: string; state: string; approvals: Array<{ gate: string; decision: string; comment: string | null }> }> }>('GET', '/api/history/sample-service/production?limit=3');
    expect(history.body.items.map((item) => [item.commit.slice(0, 7), item.kind, item.state])).toEqual([
      [first.slice(0, 7), 'rollback', 'accepted'],
      [second.slice(0, 7), 'deploy', 'rejected'],
      [first.slice(0, 7), 'deploy', 'accepted'],
    ]);
    expect(history.body.items[1]?.approvals).toContainEqual(expect.objectContaining({ gate: 'accept', decision: 'reject', comment: 'checkout is slower' }));
  }, 120_000);

  it('rolls preproduction back on request and reads its history', async () => {
    const answer = await local.api<{ releaseId: string }>('POST', '/api/rollbacks', { repository: 'sample-service', environment: 'preproduction' });
    expect(answer.status).toBe(202);

    await local.until(async () => (await releaseState(answer.body.releaseId)) === 'accepted', 30_000, 'the rollback of preproduction');

    expect(await cell('preproduction')).toMatchObject({ commit: first, releaseId: answer.body.releaseId });
    const history = await local.api<{ items: Array<{ kind: string; commit: string }>; cursor: string | null }>('GET', '/api/history/sample-service/preproduction?limit=1');
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'rollback', commit: first })]);
    expect(history.body.cursor).not.toBeNull();
  }, 60_000);

  it('answers cot status --json with the /api/status shape, and cot exit codes scripts can trust', async () => {
    const status = await cot(local.url, 'status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual((await local.api('GET', '/api/status')).body);
    const table = await cot(local.url, 'status');
    expect(table.stdout).toMatch(/sample-service\s+\w{7} accepted\s+\w{7} accepted\s+\w{7} accepted/);

    const third = await reachesIntegration('Third change');
    const notAccepted = await cot(local.url, 'release', 'sample-service', 'production', third);
    expect(notAccepted.code).toBe(2);
    expect(notAccepted.stderr).toContain('is not accepted in preproduction');

    const waiting = cot(local.url, 'release', 'sample-service', 'preproduction', third, '--wait');
    await decideByEmail('preproduction', 'approve');
    expect((await waiting).code).toBe(0);

    const fourth = await reachesIntegration('Fourth change');
    const rejected = cot(local.url, 'release', 'sample-service', 'preproduction', fourth, '--wait');
    await decideByEmail('preproduction', 'reject', 'not today');
    const result = await rejected;
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('rejected');

    expect((await cot(local.url, 'history', 'nope', 'production')).code).toBe(2);
  }, 120_000);
});
