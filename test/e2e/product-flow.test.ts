import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cot, LocalModeProcess } from './local-mode-process';

interface Cell {
  commit: string | null;
  acceptedCommit: string | null;
}
interface Status {
  repositories: Array<{ name: string; environments: Record<string, Cell | null> }>;
  product?: { environments: Record<string, { releaseId: string | null; waiting: string[]; changesWaiting: number }> };
}
interface Member {
  repository: string;
  commit: string;
  releaseId: string;
  state: string;
}
interface ReleaseView {
  state: string;
  members?: Member[];
  failure?: { step: string; message: string };
  history: Array<{ state: string; at: string }>;
}

/** A product of three repositories in local mode, as a child process; `web` deploys after `api`. */
function writeProductConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cot-e2e-product-'));
  cpSync('examples/sample-service', join(dir, 'sample-service'), { recursive: true, filter: (source) => !source.includes('node_modules') && !source.endsWith('/dist') });
  const repository = (name: string, deployAfter?: string[]) => ({ name, provider: 'github', url: `https://github.com/acme/${name}`, localPath: 'sample-service', ...(deployAfter ? { deployAfter } : {}) });
  writeFileSync(
    join(dir, 'shop.config.yaml'),
    stringify({
      product: 'shop',
      repositories: [repository('api'), repository('web', ['api']), repository('worker')],
      environments: [
        { name: 'integration', mode: 'continuous', branch: 'main' },
        { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'], autoRollback: true },
        { name: 'production', mode: 'approval', approvers: ['release-manager@example.com'] },
      ],
      notifications: { from: 'releases@example.com' },
    }),
  );
  return dir;
}

describe('local mode end to end: the product promoted as one', () => {
  let local: LocalModeProcess;
  let configDir: string;
  const first: Record<string, string> = {};
  beforeAll(async () => {
    configDir = writeProductConfig();
    local = await LocalModeProcess.start({ config: join(configDir, 'shop.config.yaml') });
  }, 120_000);
  afterAll(async () => {
    expect(await local.stop()).toBe(0);
    rmSync(configDir, { recursive: true, force: true });
  }, 30_000);

  const status = async () => (await local.api<Status>('GET', '/api/status')).body;
  const cell = async (repository: string, environment: string) => (await status()).repositories.find((entry) => entry.name === repository)?.environments[environment] ?? null;
  const show = async (releaseId: string) => (await local.api<ReleaseView>('GET', `/api/releases/${releaseId}`)).body;

  async function reachesIntegration(repository: string, message: string, files: Record<string, string | null> = {}): Promise<string> {
    const commit = await local.commit(message, files, repository);
    await local.until(async () => (await cell(repository, 'integration'))?.acceptedCommit === commit, 90_000, `${repository} ${commit} accepted in integration`);
    return commit;
  }

  it('cot promote sends one email listing three commits; approving it deploys web after api and accepts the set together', async () => {
    for (const repository of ['api', 'web', 'worker']) first[repository] = await reachesIntegration(repository, `${repository}: first feature`);
    expect((await status()).product?.environments.preproduction).toMatchObject({ releaseId: null, changesWaiting: 3 });

    const promoted = await cot(local.url, 'promote', 'preproduction', '--json');
    expect(promoted).toMatchObject({ code: 0 });
    const { releaseId, members } = JSON.parse(promoted.stdout) as { releaseId: string; members: Array<{ repository: string; commit: string }> };
    expect(members.map((member) => member.repository).sort()).toEqual(['api', 'web', 'worker']);

    // One decision, one email (one approver), every commit in it.
    const link = await local.nextLink(0);
    const emails = local.emails();
    expect(emails).toHaveLength(1);
    for (const repository of ['api', 'web', 'worker']) expect(emails[0]).toContain(`https://github.com/acme/${repository}/commit/${first[repository]}`);
    const t = new URL(link).searchParams.get('t')!;
    const page = await (await fetch(link)).text();
    for (const repository of ['api', 'web', 'worker']) expect(page).toContain(`https://github.com/acme/${repository}/commit/${first[repository]}`);
    const decided = await fetch(link.split('?')[0]!, { method: 'POST', body: new URLSearchParams({ t, decision: 'approve', confirm: 'preproduction' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(decided.status).toBe(200);

    await local.until(async () => (await show(releaseId)).state === 'accepted', 120_000, `promotion ${releaseId} accepted`);
    const promotion = await show(releaseId);
    expect(promotion.members?.map((member) => member.state)).toEqual(['accepted', 'accepted', 'accepted']);
    // The step records: web's deploy ended (it was tested) only after api's test, as deployAfter says.
    const testedAt = async (repository: string) => {
      const member = promotion.members?.find((candidate) => candidate.repository === repository);
      const release = await show(member!.releaseId);
      return release.history.find((change) => change.state === 'testing')!.at;
    };
    const web = await show(promotion.members!.find((member) => member.repository === 'web')!.releaseId);
    expect(web.history.map((change) => change.state)).toEqual(['prepared', 'deploying', 'testing', 'awaiting_acceptance', 'accepted']);
    expect((await testedAt('web')) > (await testedAt('api'))).toBe(true);
    for (const repository of ['api', 'web', 'worker']) expect(await cell(repository, 'preproduction')).toMatchObject({ commit: first[repository], acceptedCommit: first[repository] });
    expect((await status()).product?.environments.preproduction).toMatchObject({ releaseId, changesWaiting: 0 });
  }, 400_000);

  it('a failing test in one member rolls the whole set back (autoRollback), and cot promote --wait exits 1', async () => {
    const api = await reachesIntegration('api', 'api: second feature');
    await reachesIntegration('web', 'web: red in preproduction', { FAIL_TEST: 'preproduction\n' });

    const run = await cot(local.url, 'promote', 'preproduction', '--wait');

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Promotion r-\S+ failed: api \w{7} \(failed\), web \w{7} \(failed\) in preproduction/);
    for (const repository of ['api', 'web']) {
      await local.until(async () => (await cell(repository, 'preproduction'))?.commit === first[repository], 120_000, `${repository} back to ${first[repository]}`);
      expect(await cell(repository, 'preproduction')).toMatchObject({ acceptedCommit: first[repository] });
    }
    expect(api).not.toBe(first.api);
    expect(await cell('worker', 'preproduction')).toMatchObject({ commit: first.worker });
  }, 400_000);
});
