import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Approvals } from '../../core/approvals';
import type { CmdbStores } from '../../core/cmdb-stores';
import { ReleaseConfig } from '../../core/config';
import { ContinuousSteps } from '../../core/continuous-steps';
import { EnvironmentChain } from '../../core/environment-chain';
import { ConflictError, LeaseBusyError } from '../../core/errors';
import type { ContinuousInput, PromotionInput, WorkflowEngine } from '../../core/ports';
import { ProductOperations } from '../../core/product-operations';
import { ProductSteps } from '../../core/product-steps';
import { NotEligibleError, PromotionSteps } from '../../core/promotion-steps';
import { Reconciler } from '../../core/reconcile';
import { isTerminal, type ApprovalGate } from '../../core/release-lifecycle';
import { ReleaseOperations } from '../../core/release-operations';
import { WebhookIntake } from '../../core/webhook-intake';
import type { Ending, ProductEnding, ProductInput, ProductRun, PromotionRun } from '../../core/workflow-contracts';
import { createTestCmdb } from '../support/dynamo';
import { sha, TickingClock } from './release-operations-harness';

/*
 * One property over everything that moves an environment (docs/architecture.md#never-backwards): pushes
 * delivered out of order and again, release requests (equal and different), promotions of the product
 * and their rollbacks, decisions (of superseded releases too), timeouts, failed deploys and tests,
 * rollbacks (by hand and automatic), interleaved at random. It drives the real use cases (webhook intake,
 * ReleaseOperations, ProductOperations, Approvals, ContinuousSteps, PromotionSteps, ProductSteps) on
 * DynamoDB Local. Their executions are advanced one step at a time, in the order of
 * the state machines' definitions (lib/continuous-workflow.ts, lib/promotion-workflow.ts; the machines
 * themselves run in test/workflows/), so that steps of different executions interleave.
 */

const REPO = 'sample-service';
const ENVS = ['integration', 'preproduction', 'production'] as const;
/** The branch's history: commit i was pushed on top of commit i - 1, a minute later. */
const COMMITS = [0, 1, 2, 3].map((i) => sha(`order-${i}`));
const ZERO = '0'.repeat(40);

const config = ReleaseConfig.parse({
  product: 'acme',
  repositories: [{ name: REPO, provider: 'github', url: 'https://github.com/acme/sample-service' }],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'] },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com'], approveBeforeDeploy: true, autoRollback: true },
  ],
  notifications: { from: 'releases@example.com' },
});

/** Where an execution is, named as the state machine's states. */
type At = 'Begin' | 'Built' | 'Claim' | 'Deploy' | 'Deployed' | 'Test' | 'Tested' | 'Accept' | 'ApproveDeployGate' | 'AcceptGate' | 'Waiting' | 'Done';

interface Execution {
  readonly workflow: 'continuous' | 'promotion';
  readonly name: string;
  readonly startTime: string;
  readonly input: ContinuousInput | PromotionInput | ProductInput;
  at: At;
  releaseId?: string;
  run?: PromotionRun;
  /** A promotion of the product (docs/architecture.md#promotions): its run, and the ending a rollback of it ends with. */
  productRun?: ProductRun;
  productEnding?: ProductEnding;
  /** After an ending with a rollback, the outcome it ends with once the rollback is tested. */
  ending?: Ending;
  waiting?: { gate: ApprovalGate; token: string; answer?: { error?: string; cause?: string } };
}

/** Step Functions for this test: records the executions started; the property advances them. */
class Executions implements WorkflowEngine {
  readonly all: Execution[] = [];
  private tokens = 0;
  constructor(private readonly clock: TickingClock) {}

  async startContinuous(input: ContinuousInput, name: string) {
    return this.start('continuous', input, name);
  }
  async startPromotion(input: PromotionInput | ProductInput, name: string) {
    return this.start('promotion', input, name);
  }
  async sendTaskSuccess(taskToken: string) {
    this.answer(taskToken, {});
  }
  async sendTaskFailure(taskToken: string, error: string, cause: string) {
    this.answer(taskToken, { error, cause });
  }

  newToken(): string {
    return `token-${(this.tokens += 1)}`;
  }

  live(): Execution[] {
    return this.all.filter((execution) => execution.at !== 'Done');
  }

  private start(workflow: Execution['workflow'], input: Execution['input'], name: string) {
    // As Step Functions: a name is used once.
    if (this.all.some((execution) => execution.name === name)) return { started: false, executionId: name };
    this.all.push({ workflow, name, input, startTime: this.clock.now().toISOString(), at: 'Begin' });
    return { started: true, executionId: name };
  }

  private answer(token: string, answer: { error?: string; cause?: string }) {
    const execution = this.all.find((candidate) => candidate.waiting?.token === token && candidate.at === 'Waiting');
    // A token nobody waits on: as the AWS adapter answers.
    if (!execution?.waiting || execution.waiting.answer) throw new ConflictError('the workflow no longer waits for this decision');
    execution.waiting.answer = answer;
  }
}

function world(stores: CmdbStores) {
  const clock = new TickingClock();
  const chain = new EnvironmentChain(config);
  const engine = new Executions(clock);
  const approvals = new Approvals({ releases: stores.releases, approvals: stores.approvals, workflows: engine, clock, chain });
  return {
    stores,
    clock,
    engine,
    approvals,
    operations: new ReleaseOperations({ config, releases: stores.releases, pushes: stores.pushes, workflows: engine, clock, approvals }),
    intake: new WebhookIntake({ deliveries: stores.deliveries, pushes: stores.pushes, workflows: engine, clock, chain }),
    continuous: new ContinuousSteps({ releases: stores.releases, pushes: stores.pushes, leases: stores.leases, clock }),
    promotion: new PromotionSteps({ releases: stores.releases, approvals: stores.approvals, leases: stores.leases, clock, chain }),
    products: new ProductOperations({ config, releases: stores.releases, promotions: stores.promotions, workflows: engine, clock }),
    product: new ProductSteps({ config, releases: stores.releases, approvals: stores.approvals, leases: stores.leases, promotions: stores.promotions, clock, chain }),
    reconciler: new Reconciler({ releases: stores.releases, leases: stores.leases, approvals: stores.approvals, promotions: stores.promotions, clock }),
    approvalIds: [] as string[],
  };
}
type World = ReturnType<typeof world>;

/** Catch States.ALL of a Task: the ending `fail` records it, as RecordWorkflowFailure does. */
async function caught(w: World, execution: Execution, step: 'deploy' | 'test' | 'workflow', error: unknown): Promise<void> {
  const run = execution.run!;
  let ending: Ending;
  try {
    ending = await w.promotion.fail(run, step, { Error: (error as Error).name, Cause: (error as Error).message });
  } catch (failure) {
    return ended(w, execution, failure);
  }
  afterEnding(execution, ending);
}

/** `RollBack?`: an ending with a rollback run goes on with it from Claim. */
function afterEnding(execution: Execution, ending: Ending): void {
  if (ending.rollback) {
    execution.run = ending.rollback;
    execution.ending = ending;
    execution.at = 'Claim';
  } else execution.at = 'Done';
}

/** The execution failed outside its Catch: the EventBridge rule's reconciliation closes what it left. */
async function ended(w: World, execution: Execution, error: unknown): Promise<void> {
  execution.at = 'Done';
  await w.reconciler.executionEnded({ name: execution.name, startDate: execution.startTime, input: execution.input, status: 'FAILED', cause: String(error) });
}

/** One step of a continuous execution (lib/continuous-workflow.ts), builds and tests green. */
async function stepContinuous(w: World, execution: Execution): Promise<void> {
  const input = execution.input as ContinuousInput;
  const ref = { ...input, releaseId: execution.releaseId! };
  try {
    switch (execution.at) {
      case 'Begin': {
        const begun = await w.continuous.begin(input, { name: execution.name, startTime: execution.startTime });
        execution.releaseId = begun.releaseId;
        execution.at = begun.superseded ? 'Done' : 'Built';
        return;
      }
      case 'Built': {
        // The build stored one version of the commit's artifact; Built records it for every later deploy.
        const key = `artifacts/${input.repository}/${input.commit}/artifact.zip`;
        const at = w.clock.now().toISOString();
        await w.continuous.built({ ...ref, key, build: { startTime: at, endTime: at }, versions: { Versions: [{ Key: key, VersionId: `v-${ref.releaseId}`, LastModified: at }] } });
        execution.at = 'Claim';
        return;
      }
      case 'Claim': {
        const { outcome } = await w.continuous.claim(ref);
        execution.at = outcome === 'deploy' ? 'Deployed' : 'Done';
        return;
      }
      case 'Deployed':
        await w.continuous.deployed(ref);
        execution.at = 'Accept';
        return;
      case 'Accept':
        await w.continuous.accept(ref);
        execution.at = 'Done';
        return;
      default:
        throw new Error(`continuous execution at ${execution.at}`);
    }
  } catch (error) {
    if (error instanceof LeaseBusyError) return; // Claim retries while another run deploys
    await w.continuous.fail({ ...input, releaseId: execution.releaseId, step: 'workflow', error: { Error: (error as Error).name, Cause: (error as Error).message } });
    execution.at = 'Done';
  }
}

/** A gate's approval Task: the approval stored, the execution waiting on its token. */
async function requestGate(w: World, execution: Execution, releaseId: string): Promise<void> {
  const gate = execution.at === 'AcceptGate' ? 'accept' : 'approve_deploy';
  const token = w.engine.newToken();
  execution.waiting = { gate, token };
  execution.at = 'Waiting';
  const approval = await w.approvals.request({ taskToken: token, gate, releaseId, timeoutSeconds: 86_400 });
  w.approvalIds.push(approval.approvalId);
}

/**
 * The Tasks of one path of the promotion workflow: a release of one repository (lib/promotion-workflow.ts)
 * or a promotion of the product (lib/promotion-members.ts), whose states line up one to one.
 */
interface Path {
  begin(): Promise<{ approveBeforeDeploy: boolean }>;
  run(): { releaseId: string; kind: string };
  reject(error: { Error: string; Cause: string }): Promise<void>;
  claim(): Promise<void>;
  deployed(): Promise<void>;
  tested(): Promise<void>;
  accept(): Promise<void>;
  /** A red deploy or test, or a Task's error caught into the path's failure ending. */
  caught(step: 'deploy' | 'test' | 'workflow', error: unknown): Promise<void>;
}

function singlePath(w: World, execution: Execution): Path {
  const run = () => execution.run!;
  return {
    begin: async () => (execution.run = await w.promotion.begin(execution.input as PromotionInput)),
    run,
    reject: async (error) => afterEnding(execution, await w.promotion.reject(run(), error)),
    claim: () => w.promotion.claim(run()),
    deployed: () => w.promotion.deployed(run()),
    tested: () => w.promotion.tested(run()),
    accept: () => w.promotion.accept(run(), { by: 'qa@example.com' }),
    caught: (step, error) => caught(w, execution, step, error),
  };
}

function productPath(w: World, execution: Execution): Path {
  const run = () => execution.productRun!;
  return {
    begin: async () => (execution.productRun = await w.product.begin(execution.input as ProductInput)),
    run,
    reject: async (error) => afterProductEnding(execution, await w.product.reject(run(), error)),
    claim: () => w.product.claim(run()),
    deployed: async () => {
      for (const member of run().waves.flat()) await w.product.memberDeployed(member);
    },
    tested: () => w.product.tested(run()),
    accept: () => w.product.accept(run(), { by: 'qa@example.com' }),
    caught: (step, error) => productCaught(w, execution, step, error as Error),
  };
}

/** One step of a promotion execution; `fail` makes a deploy or test red. */
async function stepPromotion(w: World, execution: Execution, fail: boolean, path: Path): Promise<void> {
  try {
    switch (execution.at) {
      case 'Begin': {
        let begun: { approveBeforeDeploy: boolean };
        try {
          begun = await path.begin();
        } catch (error) {
          if (error instanceof NotEligibleError) return void (execution.at = 'Done');
          return ended(w, execution, error);
        }
        execution.at = begun.approveBeforeDeploy ? 'ApproveDeployGate' : 'Claim';
        return;
      }
      case 'ApproveDeployGate':
      case 'AcceptGate':
        return requestGate(w, execution, path.run().releaseId);
      case 'Waiting': {
        const { gate, answer } = execution.waiting!;
        if (!answer) return;
        if (!answer.error) return void (execution.at = gate === 'accept' ? 'Accept' : 'Claim');
        if (answer.error === 'Superseded') return void (execution.at = 'Done');
        try {
          await path.reject({ Error: answer.error, Cause: answer.cause ?? '' });
        } catch (error) {
          await ended(w, execution, error);
        }
        return;
      }
      case 'Claim':
        await path.claim();
        execution.at = 'Deploy';
        return;
      case 'Deploy':
        if (fail) return path.caught('deploy', new Error('deploy went red'));
        execution.at = 'Deployed';
        return;
      case 'Deployed':
        await path.deployed();
        execution.at = 'Test';
        return;
      case 'Test':
        if (fail) return path.caught('test', new Error('tests went red'));
        execution.at = 'Tested';
        return;
      case 'Tested':
        await path.tested();
        execution.at = path.run().kind === 'rollback' ? 'Done' : 'AcceptGate';
        return;
      case 'Accept':
        await path.accept();
        execution.at = 'Done';
        return;
      default:
        throw new Error(`promotion execution at ${execution.at}`);
    }
  } catch (error) {
    if (error instanceof LeaseBusyError) return; // Claim retries while another deploy holds the lease
    // A gate's request, Claim, Deployed, Tested and Accept catch States.ALL into the failure ending.
    if (execution.at === 'Waiting') execution.waiting = undefined;
    await path.caught('workflow', error);
  }
}

/** `ProductRollBack?`: an ending with a rollback promotion goes on with it from ProductClaim. */
function afterProductEnding(execution: Execution, ending: ProductEnding): void {
  if (ending.rollback) {
    execution.productRun = ending.rollback;
    execution.productEnding = ending;
    execution.at = 'Claim';
  } else execution.at = 'Done';
}

/** A red member, or a Task's error caught into ProductRecordFailure. */
async function productCaught(w: World, execution: Execution, step: 'deploy' | 'test' | 'workflow', error: Error): Promise<void> {
  const run = execution.productRun!;
  const caughtError = { Error: error.name, Cause: error.message };
  try {
    const member = run.waves.flat()[0];
    if (step !== 'workflow' && member) await w.product.memberFailed(member, step, caughtError);
    afterProductEnding(execution, await w.product.fail(run, step, caughtError));
  } catch (failure) {
    await ended(w, execution, failure);
  }
}

/** A waiting gate of a promotion of the product times out: ProductRecordExpiry. */
async function timeOutProduct(w: World, execution: Execution): Promise<void> {
  try {
    afterProductEnding(execution, await w.product.expire(execution.productRun!));
  } catch (error) {
    await ended(w, execution, error);
  }
}

/** A waiting gate's Task times out: RecordExpiry. */
async function timeOut(w: World, execution: Execution): Promise<void> {
  try {
    afterEnding(execution, await w.promotion.expire(execution.run!));
  } catch (error) {
    await ended(w, execution, error);
  }
}

async function advance(w: World, execution: Execution, options: { fail: boolean; timeout: boolean }): Promise<void> {
  if (execution.workflow === 'continuous') return stepContinuous(w, execution);
  const product = 'product' in execution.input;
  if (execution.at === 'Waiting' && options.timeout && !execution.waiting?.answer) return product ? timeOutProduct(w, execution) : timeOut(w, execution);
  return stepPromotion(w, execution, options.fail, product ? productPath(w, execution) : singlePath(w, execution));
}

/** A push of commit i on top of i - 1, as GitHub reports it. */
async function push(w: World, i: number, deliveryId: string): Promise<void> {
  await w.intake.receive({
    kind: 'push',
    repository: REPO,
    deliveryId,
    events: [
      {
        provider: 'github',
        repository: REPO,
        refKind: 'branch',
        ref: 'main',
        commit: COMMITS[i]!,
        message: `change ${i}`,
        author: 'Dev <dev@example.com>',
        deliveryId,
        deleted: false,
        before: i === 0 ? ZERO : COMMITS[i - 1]!,
        pushedAt: new Date(Date.UTC(2029, 11, 1, 10, i)).toISOString(),
      },
    ],
  });
}

const Command = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('push' as const), i: fc.integer({ min: 0, max: 3 }), again: fc.boolean() }), weight: 1 },
  // Mostly of a commit accepted below (the newest or an older one), else of any pushed commit.
  { arbitrary: fc.record({ t: fc.constant('release' as const), env: fc.constantFrom('preproduction', 'production'), k: fc.nat(), acceptedBelow: fc.integer({ min: 0, max: 3 }).map((n) => n > 0) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('rollback' as const), env: fc.constantFrom(...ENVS) }), weight: 1 },
  // The product promoted (its one repository as a member), or its last promotion rolled back.
  { arbitrary: fc.record({ t: fc.constant('promote' as const), env: fc.constantFrom('preproduction', 'production'), back: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) }), weight: 3 },
  {
    arbitrary: fc.record({ t: fc.constant('advance' as const), k: fc.nat(), steps: fc.integer({ min: 1, max: 12 }), fail: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), timeout: fc.integer({ min: 0, max: 7 }).map((n) => n === 0) }),
    weight: 8,
  },
  // Mostly of an approval still pending, else of any approval ever asked for (closed ones too).
  { arbitrary: fc.record({ t: fc.constant('decide' as const), k: fc.nat(), approve: fc.integer({ min: 0, max: 3 }).map((n) => n > 0), pending: fc.integer({ min: 0, max: 3 }).map((n) => n > 0) }), weight: 5 },
  // Every continuous execution runs to its end (a quiet moment between pushes).
  { arbitrary: fc.record({ t: fc.constant('settle' as const) }), weight: 1 },
);
type Command = typeof Command extends fc.Arbitrary<infer C> ? C : never;

/** The four pushes, delivered in any order, the continuous runs settling after each (the newest so far is accepted). */
const Prelude = fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4 }).map((order) => order.flatMap((i): Command[] => [{ t: 'push', i, again: true }, { t: 'settle' }]));

/** The position of a commit in the branch's history; -1 for none. */
const position = (commit: string | null | undefined) => (commit ? COMMITS.indexOf(commit) : -1);

/** What each environment ran and accepted, and the checks that no ordinary move took it back. */
class Watch {
  private readonly seen = new Map<string, { running: number; accepted: number }>();
  constructor(private readonly w: World) {}

  async check(after: string): Promise<void> {
    const { releases } = this.w.stores;
    for (const env of ENVS) {
      const cell = await releases.boardCell(REPO, env);
      const before = this.seen.get(env) ?? { running: -1, accepted: -1 };
      const now = { running: position(cell?.commit), accepted: position(cell?.acceptedCommit) };
      if (now.running < before.running) {
        const by = cell?.deployedReleaseId ? await releases.getRelease(cell.deployedReleaseId) : undefined;
        expect(by?.kind, `${env} went back from commit ${before.running} to ${now.running} after ${after}`).toBe('rollback');
      }
      if (now.accepted < before.accepted) {
        let newest: string | undefined;
        for await (const acceptance of releases.acceptances(REPO, env)) {
          newest = acceptance.releaseId;
          break;
        }
        const by = newest ? await releases.getRelease(newest) : undefined;
        expect(by?.kind, `${env}'s accepted commit went back from ${before.accepted} to ${now.accepted} after ${after}`).toBe('rollback');
      }
      this.seen.set(env, now);
    }
  }
}

/** The commit a release command asks for. */
async function releaseCandidate(w: World, command: { env: string; k: number; acceptedBelow: boolean }): Promise<string> {
  const below = ENVS[ENVS.indexOf(command.env as (typeof ENVS)[number]) - 1]!;
  const accepted = command.acceptedBelow ? await w.stores.releases.acceptedCommits(REPO, below, 10) : [];
  return accepted.length > 0 ? accepted[command.k % accepted.length]!.commit : COMMITS[command.k % COMMITS.length]!;
}

async function perform(w: World, watch: Watch, command: Command): Promise<void> {
  const refused = (error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  };
  switch (command.t) {
    case 'push':
      return push(w, command.i, command.again ? `d-${command.i}` : `d-${command.i}-${w.clock.now().getTime()}`);
    case 'release':
    case 'rollback': {
      const commit = command.t === 'release' ? await releaseCandidate(w, command) : undefined;
      const before = w.engine.all.length;
      const asked =
        command.t === 'release'
          ? w.operations.prepareRelease({ repository: REPO, environment: command.env, ref: commit!, requestedBy: 'rm' })
          : w.operations.rollback({ repository: REPO, environment: command.env, requestedBy: 'rm' });
      const answer = await asked.catch(refused);
      // At most one release per request: one new execution, named by the release it answers.
      const started = w.engine.all.slice(before);
      expect(started.length).toBeLessThanOrEqual(1);
      if (started[0]) expect(started[0].name).toBe(answer?.releaseId);
      return;
    }
    case 'promote': {
      const before = w.engine.all.length;
      const asked = command.back
        ? w.products.rollbackProduct({ environment: command.env, requestedBy: 'rm' })
        : w.products.promote({ environment: command.env, requestedBy: 'rm' });
      const answer = await asked.catch(refused);
      const started = w.engine.all.slice(before);
      expect(started.length).toBeLessThanOrEqual(1);
      if (started[0]) expect(started[0].name).toBe(answer?.releaseId);
      return;
    }
    case 'advance': {
      const live = w.engine.live();
      const execution = live[command.k % Math.max(1, live.length)];
      // A few steps of one execution, up to a person's decision it has to wait for.
      for (let step = 0; execution && step < command.steps && execution.at !== 'Done'; step += 1) {
        if (execution.at === 'Waiting' && !execution.waiting?.answer && !command.timeout) break;
        await advance(w, execution, command);
        await watch.check(`a step of ${execution.name}`);
      }
      return;
    }
    case 'settle': {
      for (const execution of w.engine.live().filter((candidate) => candidate.workflow === 'continuous')) {
        for (let step = 0; step < 20 && execution.at !== 'Done'; step += 1) {
          await advance(w, execution, { fail: false, timeout: false });
          await watch.check(`a step of ${execution.name}`);
        }
      }
      return;
    }
    case 'decide': {
      const pending = command.pending ? (await w.stores.releases.board()).pendingApprovals.map((approval) => approval.id) : [];
      const ids = pending.length > 0 ? pending : w.approvalIds;
      const approvalId = ids[command.k % Math.max(1, ids.length)];
      if (!approvalId) return;
      await w.approvals
        .decide({ approvalId, decision: command.approve ? 'approve' : 'reject', by: 'rm@example.com', via: 'api', ...(command.approve ? {} : { comment: 'not now' }) })
        .catch(refused);
      return;
    }
  }
}

/** Lets every execution run to its end: nobody decides any more, so every wait times out. */
async function drain(w: World, watch: Watch): Promise<void> {
  for (let round = 0; round < 200 && w.engine.live().length > 0; round += 1) {
    for (const execution of w.engine.live()) {
      await advance(w, execution, { fail: false, timeout: true });
      await watch.check(`draining ${execution.name}`);
    }
  }
  expect(w.engine.live().map((execution) => `${execution.name} at ${execution.at}`)).toEqual([]);
}

describe('an environment never goes backwards, whatever happens in whatever order (fast-check, DynamoDB Local)', () => {
  it('moves the running and accepted commits back only by a rollback, makes at most one release per request, and ends with every release over and no lease held', async () => {
    await fc.assert(
      fc.asyncProperty(Prelude, fc.array(Command, { minLength: 10, maxLength: 40, size: 'max' }), async (prelude, commands) => {
        const w = world(await createTestCmdb('acme'));
        const watch = new Watch(w);
        for (const [index, command] of [...prelude, ...commands].entries()) {
          await perform(w, watch, command);
          await watch.check(`command ${index} ${JSON.stringify(command)}`);
        }
        await drain(w, watch);

        const releaseIds = new Set(
          w.engine.all
            .flatMap((execution) => [
              execution.releaseId,
              execution.run?.releaseId,
              (execution.input as PromotionInput).releaseId,
              execution.ending?.rollback?.releaseId,
              // A promotion of the product, its members, and those of the rollback it went on with.
              ...[execution.productRun, execution.productEnding?.rollback].flatMap((run) => (run ? [run.releaseId, ...run.waves.flat().map((member) => member.releaseId)] : [])),
            ])
            .filter((id): id is string => id !== undefined),
        );
        for (const releaseId of releaseIds) {
          const release = await w.stores.releases.getRelease(releaseId);
          expect(release && isTerminal(release.state), `${releaseId} is ${release?.state}`).toBe(true);
        }
        for (const env of ENVS) expect(await w.stores.leases.leaseHolder(REPO, env)).toBeUndefined();
      }),
      // No shrinking: a counterexample is reported as found (shrinking these runs takes minutes).
      { numRuns: 10, endOnFailure: true },
    );
  }, 120_000);
});
