import { rollbackTarget } from './rollback-target';
import { isTerminal } from './release-lifecycle';
import type { FailedStep, Release } from './cmdb';
import type { ApprovalStore, LeaseStore, ReleaseStore } from './cmdb-stores';
import { DEFAULT_LEASE_SECONDS } from './continuous-steps';
import type { EnvironmentChain } from './environment-chain';
import { ConflictError, DomainError, NotFoundError } from './errors';
import { newReleaseId } from './ids';
import type { Clock, CommitStatusPublisher, CommitStatusUpdate } from './ports';
import type { CaughtError, Ending, PromotionInput, PromotionRun } from './workflow-contracts';
import { describeFailure } from './workflow-failure';
import { ENDING_OUTCOMES } from './workflow-names';

/** A release that may not go where it was asked to: not accepted below, or never accepted here. */
export class NotEligibleError extends DomainError {
  override readonly name = 'NotEligibleError';
  readonly retryable = false;
}

export interface PromotionStepsDeps {
  readonly releases: ReleaseStore;
  /** An expiry closes the approvals of its release. */
  readonly approvals: ApprovalStore;
  readonly leases: LeaseStore;
  readonly clock: Clock;
  readonly chain: EnvironmentChain;
  readonly leaseSeconds?: number;
  /** `cot/<environment>` on the commit at its git host (docs/operations.md#commit-statuses). @default none */
  readonly statuses?: CommitStatusPublisher;
}

/**
 * The CMDB side of the promotion workflow, one method per Task. The rules it keeps:
 * - a release only takes a commit accepted directly below; a rollback only one accepted here before;
 * - the deploy lease is held from claim to tested, never while waiting for a person;
 * - a failed deploy or test, or a rejection, never moves the accepted pointer; with `autoRollback` it
 *   yields a rollback run of the environment's previous accepted commit;
 * - a rolled-back continuous environment is held until resumed.
 */
export class PromotionSteps {
  constructor(private readonly deps: PromotionStepsDeps) {}

  private get now(): string {
    return this.deps.clock.now().toISOString();
  }

  async begin(input: PromotionInput): Promise<PromotionRun> {
    const { releases } = this.deps;
    const release = await releases.getRelease(input.releaseId);
    if (!release) throw new NotFoundError(`release ${input.releaseId} does not exist`);
    // Superseded before its run began (a newer request for the environment came first): nothing to do.
    if (isTerminal(release.state)) throw new NotEligibleError(`release ${release.releaseId} is ${release.state}`);
    const refusal = await this.refusal(release);
    if (refusal) {
      // The API refuses first (409); this check holds even for a release that raced a change.
      await releases.transitionRelease(release.releaseId, 'failed', { by: 'system', at: this.now, failure: { step: 'workflow', message: refusal } });
      throw new NotEligibleError(refusal);
    }
    return this.runOf(release, await this.artifactOf(release));
  }

  /**
   * The artifact version the release deploys: the one accepted directly below (a release) or here before
   * (a rollback), recorded on the release once (docs/deploy-to-aws.md#artifact-versions).
   */
  private async artifactOf(release: Release): Promise<string> {
    if (release.artifactVersion) return release.artifactVersion;
    const { releases, chain } = this.deps;
    const from = release.kind === 'release' ? chain.below(release.environment)?.name : release.environment;
    const version = from === undefined ? undefined : await releases.acceptedArtifact(release.repository, from, release.commit);
    if (version === undefined) {
      const message = `no artifact version of ${release.commit.slice(0, 7)} was recorded in ${from ?? 'the environment below'}: push the commit again to build it`;
      await releases.transitionRelease(release.releaseId, 'failed', { by: 'system', at: this.now, failure: { step: 'workflow', message } });
      throw new NotEligibleError(message);
    }
    await releases.recordArtifact(release.releaseId, version);
    return version;
  }

  private async refusal(release: Release): Promise<string | undefined> {
    const { releases, chain } = this.deps;
    if (release.kind === 'release') {
      const below = chain.below(release.environment);
      const accepted = below ? await releases.isAccepted(release.repository, below.name, release.commit) : false;
      return accepted ? undefined : `${release.commit.slice(0, 7)} is not accepted in ${below?.name ?? 'the environment below'}`;
    }
    const accepted = await releases.isAccepted(release.repository, release.environment, release.commit);
    return accepted ? undefined : `${release.commit.slice(0, 7)} was never accepted in ${release.environment}: nothing to roll back to`;
  }

  /** Takes the deploy lease (`LeaseBusyError` while another deploy holds it: the workflow retries). */
  async claim(run: PromotionRun): Promise<void> {
    const { releases, leases, clock } = this.deps;
    await leases.acquireLease(run.repository, run.environment, run.releaseId, this.deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS, clock.now());
    if (run.kind === 'rollback' && this.deps.chain.get(run.environment).mode === 'continuous') {
      // New pushes are built and recorded but not deployed here until `cot resume`.
      await releases.setHeld(run.repository, run.environment, true, this.now);
    }
    await releases.transitionRelease(run.releaseId, 'deploying', { by: 'codebuild', at: this.now });
    await this.status(run, 'pending', run.kind === 'rollback' ? 'rolling back' : 'deploying');
  }

  async deployed(run: PromotionRun): Promise<void> {
    await this.deps.releases.recordDeployment(run.releaseId, { by: 'codebuild', at: this.now });
  }

  /** Tests passed: a release gives the lease back and waits for acceptance; a rollback is accepted now. */
  async tested(run: PromotionRun): Promise<void> {
    const { releases, leases } = this.deps;
    if (run.kind === 'rollback') {
      const release = await releases.markAccepted(run.releaseId, { by: 'codebuild', at: this.now, detail: 'rollback tested green' });
      await this.status(run, 'success', 'rollback deployed and tested');
      if (release.rollbackOf) await this.markRolledBack(release.rollbackOf);
    } else {
      await this.status(run, 'pending', 'tested, waiting for acceptance');
    }
    await leases.releaseLease(run.repository, run.environment, run.releaseId);
  }

  async accept(run: PromotionRun, approval: { by: string; comment?: string }): Promise<void> {
    await this.deps.releases.markAccepted(run.releaseId, { by: approval.by, at: this.now, ...(approval.comment ? { detail: approval.comment } : {}) });
    await this.status(run, 'success', 'accepted');
  }

  async reject(run: PromotionRun, error: CaughtError): Promise<Ending> {
    const { by, comment } = parseCause(error.Cause);
    const before = await this.deps.releases.getRelease(run.releaseId);
    await this.deps.releases.transitionRelease(run.releaseId, 'rejected', { by: by ?? 'approver', at: this.now, ...(comment ? { detail: comment } : {}) });
    await this.status(run, 'failure', 'rejected');
    // Only a release that reached the environment has anything to roll back.
    const deployed = before?.state === 'awaiting_acceptance';
    return { outcome: ENDING_OUTCOMES.rejected, ...(await this.rollbackIf(run, deployed)) };
  }

  async expire(run: PromotionRun): Promise<Ending> {
    const { releases, approvals } = this.deps;
    const board = await releases.board();
    for (const pending of board.pendingApprovals.filter((approval) => approval.releaseId === run.releaseId)) {
      await approvals.closeApproval(pending.id, 'expired', this.now);
    }
    await releases.transitionRelease(run.releaseId, 'expired', { by: 'system', at: this.now, detail: `nobody decided within ${run.timeoutSeconds} s` });
    await this.status(run, 'failure', 'approval expired');
    return { outcome: ENDING_OUTCOMES.expired };
  }

  async fail(run: PromotionRun, step: FailedStep, error: CaughtError): Promise<Ending> {
    const { releases, leases } = this.deps;
    const failure = describeFailure(step, error);
    await leases.releaseLease(run.repository, run.environment, run.releaseId);
    const release = await releases.getRelease(run.releaseId);
    // A release that already ended (superseded meanwhile, or failed by an earlier try) keeps its end.
    if (release && !isTerminal(release.state)) {
      await releases.transitionRelease(run.releaseId, 'failed', { by: 'system', at: this.now, failure });
      await this.status(run, 'failure', `${step} failed`);
    }
    return { outcome: ENDING_OUTCOMES.failed, failure, ...(await this.rollbackIf(run, step === 'deploy' || step === 'test')) };
  }

  private async rollbackIf(run: PromotionRun, deployed: boolean): Promise<{ rollback?: PromotionRun }> {
    if (!deployed || run.kind !== 'release' || !run.autoRollback) return {};
    const { releases } = this.deps;
    // Back to the newest other accepted commit: after a failed deploy that is what still runs there.
    const previous = await rollbackTarget(releases.acceptances(run.repository, run.environment), {
      leaving: [run.commit],
      rolledBack: async (releaseId) => (await releases.getRelease(releaseId))?.state === 'rolled_back',
    });
    // An acceptance from before artifact versions were kept cannot be redeployed exactly: no rollback.
    if (!previous?.artifactVersion) return {};
    // The rollback becomes the environment's one active release, as an operator's would: a request that
    // came in meanwhile and is deploying keeps the environment (it replaces the bad release anyway).
    let rollback: Release;
    try {
      ({ release: rollback } = await releases.startExclusive({
        releaseId: newReleaseId(this.deps.clock.now()),
        repository: run.repository,
        environment: run.environment,
        commit: previous.commit,
        kind: 'rollback',
        requestedBy: `autoRollback of ${run.releaseId}`,
        createdAt: this.now,
        rollbackOf: run.releaseId,
        artifactVersion: previous.artifactVersion,
      }));
    } catch (error) {
      if (error instanceof ConflictError) return {};
      throw error;
    }
    return { rollback: this.runOf(rollback, previous.artifactVersion) };
  }

  private async markRolledBack(releaseId: string): Promise<void> {
    try {
      const release = await this.deps.releases.transitionRelease(releaseId, 'rolled_back', { by: 'system', at: this.now });
      await this.status(release, 'failure', 'rolled back');
    } catch (error) {
      // Only an accepted release becomes rolled_back; a rejected or failed one keeps its ending.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  private async status(run: Pick<Release, 'releaseId' | 'repository' | 'commit' | 'environment'>, state: CommitStatusUpdate['state'], description: string): Promise<void> {
    await this.deps.statuses?.publish({ repository: run.repository, releaseId: run.releaseId, commit: run.commit, environment: run.environment, state, description });
  }

  private runOf(release: Release, artifactVersion: string): PromotionRun {
    const env = this.deps.chain.get(release.environment);
    const approval = env.mode === 'approval' ? env : undefined;
    return {
      releaseId: release.releaseId,
      repository: release.repository,
      environment: release.environment,
      commit: release.commit,
      kind: release.kind === 'rollback' ? 'rollback' : 'release',
      approveBeforeDeploy: release.kind === 'release' && (approval?.approveBeforeDeploy ?? false),
      autoRollback: approval?.autoRollback ?? false,
      timeoutSeconds: approval ? this.deps.chain.approvalTimeoutSeconds(release.environment) : 0,
      artifactVersion,
    };
  }
}

/** Who decided at a gate, and why, from the Cause a rejection was sent with. */
export function parseCause(cause: string | undefined): { by?: string; comment?: string } {
  try {
    const value = JSON.parse(cause ?? '{}') as { by?: unknown; comment?: unknown };
    return {
      ...(typeof value.by === 'string' ? { by: value.by } : {}),
      ...(typeof value.comment === 'string' ? { comment: value.comment } : {}),
    };
  } catch {
    return {};
  }
}
