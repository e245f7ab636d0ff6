import { createHash } from 'node:crypto';
import { Approvals } from '../../core/approvals';
import type { Approval } from '../../core/cmdb';
import type { CmdbStores, PushStore, ReleaseStore } from '../../core/cmdb-stores';
import { ReleaseConfig } from '../../core/config';
import { EnvironmentChain } from '../../core/environment-chain';
import { newReleaseId } from '../../core/ids';
import type { Clock, ContinuousInput, PromotionInput, WorkflowEngine } from '../../core/ports';
import type { ApprovalGate } from '../../core/release-lifecycle';
import { ProductOperations } from '../../core/product-operations';
import { ReleaseOperations } from '../../core/release-operations';
import { createTestCmdb } from '../support/dynamo';

/** Shared by the release use case and operator API handler tests: config, clock, workflow double, CMDB seeding. */

export const PRODUCT = 'acme';

export const config = ReleaseConfig.parse({
  product: PRODUCT,
  repositories: [
    { name: 'sample-service', provider: 'github', url: 'https://github.com/acme/sample-service' },
    { name: 'payments', provider: 'gitlab', url: 'https://gitlab.com/acme/payments' },
  ],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'] },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'], approveBeforeDeploy: true },
  ],
  notifications: { from: 'releases@example.com' },
});

/** A deterministic full SHA. */
export function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** Moves one second per reading, so ids, history and acceptances sort in the order things happened. */
export class TickingClock implements Clock {
  private time = Date.parse('2030-01-01T00:00:00.000Z');
  now(): Date {
    this.time += 1000;
    return new Date(this.time);
  }
}

/**
 * Records what the use cases ask of Step Functions. The real promotion workflow is tested on its own;
 * here what matters is what was started, with which input and name, and which tokens were answered.
 */
export class RecordingWorkflows implements WorkflowEngine {
  readonly promotions: Array<{ input: PromotionInput; name: string }> = [];
  readonly successes: Array<{ taskToken: string; output: unknown }> = [];
  readonly failures: Array<{ taskToken: string; error: string; cause: string }> = [];
  /** When set, the next startPromotion throws it (Step Functions unavailable). */
  failNextStart?: Error;

  async startContinuous(_input: ContinuousInput, _name: string): Promise<never> {
    throw new Error('the operator API never starts a continuous run');
  }

  async startPromotion(input: PromotionInput, name: string) {
    const failure = this.failNextStart;
    if (failure) {
      this.failNextStart = undefined;
      throw failure;
    }
    // As the port promises (and Step Functions does): a second start of the same name starts nothing.
    if (this.promotions.some((started) => started.name === name)) return { started: false, executionId: name };
    this.promotions.push({ input, name });
    return { started: true, executionId: name };
  }

  async sendTaskSuccess(taskToken: string, output: unknown) {
    this.successes.push({ taskToken, output });
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string) {
    this.failures.push({ taskToken, error, cause });
  }
}

export interface World {
  readonly stores: CmdbStores;
  readonly clock: TickingClock;
  readonly workflows: RecordingWorkflows;
  readonly approvals: Approvals;
  readonly operations: ReleaseOperations;
  readonly products: ProductOperations;
  readonly seed: Seeder;
  /** The table itself, for a test that plays a concurrent writer. */
  readonly table: Pick<Awaited<ReturnType<typeof createTestCmdb>>, 'documentClient' | 'tableName'>;
}

/** A fresh CMDB table on DynamoDB Local with the use cases over it. */
export async function createWorld(): Promise<World> {
  const { releases, approvals: approvalStore, pushes, leases, deliveries, promotions, metrics, documentClient, tableName } = await createTestCmdb(PRODUCT);
  const stores = { releases, approvals: approvalStore, pushes, leases, deliveries, promotions, metrics };
  const clock = new TickingClock();
  const workflows = new RecordingWorkflows();
  const chain = new EnvironmentChain(config);
  const approvals = new Approvals({ releases, approvals: approvalStore, workflows, clock, chain });
  const operations = new ReleaseOperations({ config, releases, pushes, workflows, clock, approvals });
  const products = new ProductOperations({ config, releases, promotions, workflows, clock });
  return { stores, clock, workflows, approvals, operations, products, seed: new Seeder(releases, pushes, clock, approvals), table: { documentClient, tableName } };
}

/** Puts the CMDB in a state through its stores, the way the workflows do. */
export class Seeder {
  constructor(
    private readonly releases: ReleaseStore,
    private readonly pushes: PushStore,
    private readonly clock: Clock,
    private readonly approvals: Approvals,
  ) {}

  private at(): string {
    return this.clock.now().toISOString();
  }

  async push(repository: string, commit: string, message = `commit ${commit.slice(0, 7)}`): Promise<void> {
    // As a git host reports a push: after the previous push of the branch, at this time.
    const pushedAt = this.at();
    await this.pushes.recordPush({ repository, branch: 'main', commit, message, author: 'dev@example.com', pushedAt, hostPushedAt: pushedAt });
  }

  async tag(repository: string, tag: string, commit: string): Promise<void> {
    await this.pushes.recordTag(repository, tag, commit, this.at());
  }

  /** A continuous run: pushed, built, deployed, tested and accepted in integration. */
  async acceptedInIntegration(repository: string, commit: string, options: { artifactVersion?: string } = {}): Promise<string> {
    await this.push(repository, commit);
    const releaseId = await this.create(repository, 'integration', commit, 'deploy', 'push:github:1');
    await this.releases.transitionRelease(releaseId, 'building', { by: 'codebuild', at: this.at() });
    // The build's artifact version, as the continuous workflow's Built step records it.
    if (options.artifactVersion) await this.releases.recordArtifact(releaseId, options.artifactVersion);
    await this.releases.transitionRelease(releaseId, 'deploying', { by: 'codebuild', at: this.at() });
    await this.releases.recordDeployment(releaseId, { by: 'codebuild', at: this.at() });
    await this.releases.markAccepted(releaseId, { by: 'codebuild', at: this.at(), detail: 'tests passed' });
    return releaseId;
  }

  /** A release deployed, tested and accepted by a person in an approval environment. */
  async acceptedIn(repository: string, environment: string, commit: string, kind: 'release' | 'rollback' = 'release'): Promise<string> {
    const releaseId = await this.deployed(repository, environment, commit, kind);
    if (kind === 'release') await this.releases.transitionRelease(releaseId, 'awaiting_acceptance', { by: 'system', at: this.at() });
    await this.releases.markAccepted(releaseId, { by: kind === 'release' ? 'qa@example.com' : 'system', at: this.at() });
    return releaseId;
  }

  /** A release whose deploy succeeded and whose tests run. */
  async deployed(repository: string, environment: string, commit: string, kind: 'release' | 'rollback' = 'release'): Promise<string> {
    const releaseId = await this.create(repository, environment, commit, kind, 'arn:aws:iam::123456789012:user/seed');
    await this.releases.transitionRelease(releaseId, 'deploying', { by: 'codebuild', at: this.at() });
    await this.releases.recordDeployment(releaseId, { by: 'codebuild', at: this.at() });
    return releaseId;
  }

  /** A release waiting for a person at `gate`, with its approval stored as the workflow's approval Task does. */
  async waiting(repository: string, environment: string, commit: string, gate: ApprovalGate): Promise<Approval> {
    const releaseId =
      gate === 'accept'
        ? await this.deployed(repository, environment, commit)
        : await this.create(repository, environment, commit, 'release', 'arn:aws:iam::123456789012:user/seed');
    return this.approvals.request({ taskToken: `token-${releaseId}`, gate, releaseId, timeoutSeconds: 86_400 });
  }

  private async create(repository: string, environment: string, commit: string, kind: 'deploy' | 'release' | 'rollback', requestedBy: string) {
    const createdAt = this.clock.now();
    const releaseId = newReleaseId(createdAt);
    await this.releases.createRelease({ releaseId, repository, environment, commit, kind, requestedBy, createdAt: createdAt.toISOString() });
    return releaseId;
  }
}
