import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalCodeBuild } from '../../adapters/local/local-codebuild';
import { LocalWorkflows } from '../../adapters/local/local-workflows';
import { Approvals } from '../../core/approvals';
import { ReleaseConfig } from '../../core/config';
import { EnvironmentChain } from '../../core/environment-chain';
import { newReleaseId } from '../../core/ids';
import { systemClock } from '../../core/ports';
import { ProductOperations } from '../../core/product-operations';
import { approvalRequestHandler } from '../../lambdas/approval-request';
import { promotionStepHandler } from '../../lambdas/promotion-step';
import { LocalWiring } from '../../local/local-wiring';
import { eventually } from '../support/eventually';
import { closeHarness } from '../support/local-harness';
import { releaseTemplate } from '../support/release-template';
import { whenDone } from '../support/when-done';
import { inject } from 'vitest';

const MEMBERS = 25;
const names = Array.from({ length: MEMBERS }, (_, index) => `r${String(index + 1).padStart(2, '0')}`);

/** 25 repositories in five waves: each deploys after the one five before it. */
const config = ReleaseConfig.parse({
  product: 'big',
  repositories: names.map((name, index) => ({ name, provider: 'github', url: `https://github.com/acme/${name}`, ...(index >= 5 ? { deployAfter: [names[index - 5]] } : {}) })),
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'] },
    { name: 'production', mode: 'approval', approvers: ['qa@example.com'] },
  ],
  notifications: { from: 'releases@example.com' },
});

/**
 * The promotion state machine with 25 members: its ASL rendered from the stack, run by
 * aws-local-stepfunctions, its step and approval Lambdas the real handlers on DynamoDB Local. Builds are
 * answered at once (75 real buildspec runs would take minutes on a small machine; the three-repository
 * test runs them for real): what this measures is the state machine, its limits and its transitions.
 */
describe('a promotion of 25 repositories stays within Step Functions limits', () => {
  let wiring: LocalWiring;
  let workflows: LocalWorkflows;
  let products: ProductOperations;
  let approvals: Approvals;
  const deploys: string[] = [];

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cot-scale-'));
    wiring = await LocalWiring.create({ config, dataDir, dynamoEndpoint: inject('dynamoEndpoint'), tableName: `cmdb-${randomUUID()}`, template: await releaseTemplate(config) });
    // An afterAll registered here would never run (test/support/when-done.ts).
    whenDone(async () => {
      await closeHarness(wiring);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { releases, approvals: approvalStore, promotions } = wiring.stores;
    const builds = {
      startBuild: async (project: string) => {
        if (project.endsWith('-deploy')) deploys.push(project.replace(/-deploy$/, ''));
        return { BuildStatus: 'SUCCEEDED' as const, Logs: { DeepLink: `file:///builds/${project}.log` } };
      },
    } as unknown as LocalCodeBuild;
    workflows = new LocalWorkflows({
      template: await releaseTemplate(config),
      lambdas: {
        'promotion-step': promotionStepHandler(wiring.handlers.promotion()),
        'approval-request': (event) => approvalRequestHandler({ approvals })(event),
        'continuous-step': () => Promise.reject(new Error('not used')),
      },
      codebuild: builds,
      notify: () => undefined,
    });
    approvals = new Approvals({ releases, approvals: approvalStore, workflows, clock: systemClock, chain: new EnvironmentChain(config) });
    products = new ProductOperations({ config, releases, promotions, workflows, clock: systemClock });
    // Every repository has a commit accepted in integration.
    for (const repository of names) {
      const commit = randomBytes(20).toString('hex');
      const at = () => new Date().toISOString();
      const release = await releases.createRelease({ releaseId: newReleaseId(), repository, environment: 'integration', commit, kind: 'deploy', requestedBy: 'push:test', createdAt: at() });
      await releases.transitionRelease(release.releaseId, 'deploying', { by: 'test', at: at() });
      await releases.recordDeployment(release.releaseId, { by: 'test', at: at() });
      // The build's artifact version, as the continuous workflow records it: each member deploys it.
      await releases.recordArtifact(release.releaseId, randomBytes(16).toString('hex'));
      await releases.markAccepted(release.releaseId, { by: 'test', at: at() });
    }
  }, 120_000);

  async function promoteAndAccept(environment: string, only?: string[]) {
    const promoted = await products.promote({ environment, requestedBy: 'alice', ...(only ? { repositories: only } : {}) });
    const pending = await eventually(async () => (await wiring.stores.releases.board()).pendingApprovals.find((approval) => approval.releaseId === promoted.releaseId), {
      what: 'the accept approval',
      timeoutMs: 60_000,
    });
    await approvals.decide({ approvalId: pending.id, decision: 'approve', by: 'qa@example.com', via: 'api' });
    const execution = workflows.executions('promotion').find((candidate) => candidate.name === promoted.releaseId);
    const result = await execution?.result;
    const events = execution?.history ?? [];
    return {
      promoted,
      result,
      transitions: events.filter((event) => event.type === 'StateEntered').length,
      largestState: Math.max(...events.map((event) => JSON.stringify(event.input ?? {}).length)),
    };
  }

  it('deploys 25 members wave by wave, with a payload far below 256 KB and transitions linear in the members', async () => {
    const all = await promoteAndAccept('preproduction');
    // Five members in five waves too (r01 -> r06 -> ... -> r21): the same constant, the same waves.
    const five = await promoteAndAccept('production', names.filter((_, index) => index % 5 === 0));

    expect(all.result?.status).toBe('SUCCEEDED');
    expect(five.result?.status).toBe('SUCCEEDED');
    expect(all.promoted.members).toHaveLength(MEMBERS);
    // Wave by wave: r06 (after r01) only once the first wave is deployed, r25 in the last wave.
    const first = deploys.slice(0, MEMBERS);
    expect(first.slice(0, 5).sort()).toEqual(names.slice(0, 5));
    expect(first.slice(20).sort()).toEqual(names.slice(20));
    for (const member of all.promoted.members) expect(await wiring.stores.releases.boardCell(member.repository, 'preproduction')).toMatchObject({ acceptedCommit: member.commit });
    expect(all.largestState).toBeLessThan(256 * 1024 / 8);
    // Linear: each member adds the same number of transitions.
    const perMember = (all.transitions - five.transitions) / (MEMBERS - 5);
    expect(perMember).toBe(3);
    expect(all.transitions).toBe(five.transitions + perMember * (MEMBERS - 5));
    console.log(`transitions: 25 members ${all.transitions}, 5 members ${five.transitions}, per member ${perMember}; largest state ${all.largestState} bytes`);
  }, 300_000);
});
