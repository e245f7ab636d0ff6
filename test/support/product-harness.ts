import { LOCAL_NOTIFICATIONS_RECIPIENT } from '../../adapters/local/outbox-notifications';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ReleaseConfig } from '../../core/config';
import type { ContinuousInput } from '../../core/ports';
import { ProductOperations } from '../../core/product-operations';
import { systemClock } from '../../core/ports';
import { LocalWiring } from '../../local/local-wiring';
import { decodeHeader, parseEml } from '../lambdas/approval-harness';
import { eventually } from './eventually';
import { closeHarness, commitAndRecordPush, initRepository } from './local-harness';
import { releaseTemplate } from './release-template';
import { whenDone } from './when-done';

/** A product of three repositories (`web` deploys after `api`), each a copy of the sample service. */
export function threeRepositoryConfig(): ReleaseConfig {
  const repository = (name: string, deployAfter?: string[]) => ({ name, provider: 'github', url: `https://github.com/acme/${name}`, localPath: 'examples/sample-service', ...(deployAfter ? { deployAfter } : {}) });
  return ReleaseConfig.parse({
    product: 'shop',
    repositories: [repository('web', ['api']), repository('api'), repository('worker')],
    environments: [
      { name: 'integration', mode: 'continuous', branch: 'main' },
      { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'], autoRollback: true },
      { name: 'production', mode: 'approval', approvers: ['release-manager@example.com'] },
    ],
    notifications: { from: 'releases@example.com' },
  });
}

/**
 * The product wired as local mode wires it (the same handlers, the rendered state machines, DynamoDB
 * Local, the buildspec runner, the outbox), with a git repository per configured repository.
 */
export async function productHarness(config: ReleaseConfig = threeRepositoryConfig(), configDir = '.') {
  const dataDir = mkdtempSync(join(tmpdir(), 'cot-product-'));
  const release = await LocalWiring.create({
    config,
    dataDir,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `cmdb-${randomUUID()}`,
    retryIntervalOverrides: { Claim: 200, ProductClaim: 200 },
    approvalEmail: { baseUrl: () => 'http://127.0.0.1:3000' },
    template: await releaseTemplate(config),
  });
  // Closed, then its folder removed, when the test or file that made it ends.
  whenDone(async () => {
    await closeHarness(release);
    rmSync(dataDir, { recursive: true, force: true });
  });
  for (const { name, localPath } of config.repositories) {
    const repo = release.repositoryDir(name);
    cpSync(join(configDir, localPath ?? 'examples/sample-service'), repo, { recursive: true, filter: (source) => !source.includes('node_modules') && !source.endsWith('/dist') });
    initRepository(repo);
  }
  const { releases, promotions } = release.stores;
  const products = new ProductOperations({ config, releases, promotions, workflows: release.workflows, clock: systemClock });

  let pushes = 0;
  /** Commits in one repository and records the push as its webhook would. */
  const push = (repository: string, message: string, files: Record<string, string | null> = {}): Promise<ContinuousInput> => commitAndRecordPush(release, repository, message, files, (pushes += 1));

  /** A commit of one repository, pushed and accepted in integration. */
  async function acceptedInIntegration(repository: string, message: string, files: Record<string, string | null> = {}): Promise<string> {
    const input = await push(repository, message, files);
    const { executionId } = await release.workflows.startContinuous(input, `push-${input.commit}`);
    const result = await release.workflows.execution('continuous', executionId)?.result;
    if (result?.status !== 'SUCCEEDED') throw new Error(`${repository} ${input.commit} was not accepted in integration: ${JSON.stringify(result)}`);
    return input.commit;
  }

  /** The execution of a promotion (named by its release id). */
  function execution(releaseId: string) {
    const found = release.workflows.executions('promotion').find((candidate) => candidate.name === releaseId);
    if (!found) throw new Error(`no execution of ${releaseId}`);
    return found;
  }

  async function pendingApproval(releaseId: string, gate: 'approve_deploy' | 'accept') {
    return eventually(async () => (await release.stores.releases.board()).pendingApprovals.find((approval) => approval.releaseId === releaseId && approval.gate === gate), {
      what: `the ${gate} approval of ${releaseId}`,
      timeoutMs: 60_000,
    });
  }

  /**
   * The emails to people in the outbox, each as its recipient and decoded parts (text, then HTML). The
   * notices local mode files for the notification topic (to `LOCAL_NOTIFICATIONS_RECIPIENT`) are left out:
   * they are nobody's email.
   */
  function outbox(): Array<{ to: string; subject: string; text: string; html: string }> {
    const dir = join(dataDir, 'outbox');
    const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.eml')).sort() : [];
    return files
      .map((file) => {
        const email = parseEml(readFileSync(join(dir, file), 'utf8'));
        return { to: email.headers.to ?? '', subject: decodeHeader(email.headers.subject ?? ''), text: email.parts[0]?.body ?? '', html: email.parts[1]?.body ?? '' };
      })
      .filter((email) => email.to !== LOCAL_NOTIFICATIONS_RECIPIENT);
  }

  /** Waits for the approval emails of one approval to be written. */
  async function emailsOf(approvalId: string) {
    return eventually(async () => {
      const emails = outbox().filter((email) => email.text.includes(approvalId));
      return emails.length > 0 ? emails : undefined;
    }, { what: `the emails of ${approvalId}`, timeoutMs: 30_000 });
  }

  /** The commit the sample service reports in an environment's copy. */
  function deployedCommit(repository: string, environment: string): string | undefined {
    const file = join(dataDir, 'environments', environment, repository, 'version.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { commit: string }).commit : undefined;
  }

  return { release, products, dataDir, push, acceptedInIntegration, execution, pendingApproval, outbox, emailsOf, deployedCommit };
}
