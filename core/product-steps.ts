import type { Failure, FailedStep, PromotionMember, Release } from './cmdb';
import type { ApprovalStore, LeaseStore, ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import { DEFAULT_LEASE_SECONDS } from './continuous-steps';
import { deployWaves } from './deploy-order';
import type { EnvironmentChain } from './environment-chain';
import { ConflictError, NotFoundError } from './errors';
import { newReleaseId } from './ids';
import type { Clock, CommitStatusPublisher, CommitStatusUpdate } from './ports';
import { NotEligibleError, parseCause } from './promotion-steps';
import type { PromotionStore } from './promotions';
import { isTerminal, type ReleaseState } from './release-lifecycle';
import type { CaughtError, MemberRun, ProductEnding, ProductInput, ProductRun } from './workflow-contracts';
import { describeFailure } from './workflow-failure';
import { ENDING_OUTCOMES } from './workflow-names';

export interface ProductStepsDeps {
  readonly config: ReleaseConfig;
  readonly releases: ReleaseStore;
  readonly approvals: ApprovalStore;
  readonly leases: LeaseStore;
  readonly promotions: PromotionStore;
  readonly clock: Clock;
  readonly chain: EnvironmentChain;
  readonly leaseSeconds?: number;
  /** `cot/<environment>` on each member's commit at its git host (docs/operations.md#commit-statuses). @default none */
  readonly statuses?: CommitStatusPublisher;
}

/**
 * The CMDB side of a promotion of several repositories (docs/architecture.md#promotions), one method per
 * Task of the workflow's product path. The promotion's record and each member's release move together:
 * every member's deploy lease is taken at once, each member records its own deploy and failure, and the
 * set is accepted, rejected, failed or rolled back as one.
 */
export class ProductSteps {
  constructor(private readonly deps: ProductStepsDeps) {}

  private get now(): string {
    return this.deps.clock.now().toISOString();
  }

  async begin(input: ProductInput): Promise<ProductRun> {
    const promotion = await this.deps.releases.getRelease(input.releaseId);
    if (!promotion?.members) throw new NotFoundError(`promotion ${input.releaseId} does not exist`);
    if (isTerminal(promotion.state)) throw new NotEligibleError(`promotion ${promotion.releaseId} is ${promotion.state}`);
    const refusal = await this.refusal(promotion);
    if (refusal) {
      await this.end(promotion, 'failed', { by: 'system', failure: { step: 'workflow', message: refusal } });
      throw new NotEligibleError(refusal);
    }
    return this.runOf(promotion);
  }

  private async refusal(promotion: Release): Promise<string | undefined> {
    const { releases, chain } = this.deps;
    const where = promotion.kind === 'release' ? chain.below(promotion.environment)?.name : promotion.environment;
    for (const member of promotion.members ?? []) {
      if (!where || !(await releases.isAccepted(member.repository, where, member.commit))) {
        return `${member.repository} ${member.commit.slice(0, 7)} is not accepted in ${where ?? 'the environment below'}`;
      }
      // Every member deploys one recorded build (docs/deploy-to-aws.md#artifact-versions).
      if (!member.artifactVersion) return `no artifact version of ${member.repository} ${member.commit.slice(0, 7)} was recorded in ${where}: push the commit again to build it`;
    }
    return undefined;
  }

  /** Every member's deploy lease in one transaction (`LeaseBusyError` while any is held: the workflow retries). */
  async claim(run: ProductRun): Promise<void> {
    const members = run.waves.flat();
    await this.deps.promotions.claimLeases(
      members.map((member) => ({ repository: member.repository, environment: run.environment, holder: member.releaseId })),
      this.deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      this.deps.clock.now(),
    );
    for (const member of members) await this.move(member.releaseId, 'deploying', { by: 'codebuild' });
    await this.movePromotion(run.releaseId, 'deploying', { by: 'codebuild' });
    await this.statusOfAll(run, 'pending', run.kind === 'rollback' ? `rolling back (promotion ${run.releaseId})` : `deploying (promotion ${run.releaseId})`);
  }

  async memberDeployed(member: MemberRun): Promise<void> {
    await this.deps.releases.recordDeployment(member.releaseId, { by: 'codebuild', at: this.now });
  }

  async memberFailed(member: MemberRun, step: FailedStep, error: CaughtError): Promise<void> {
    const release = await this.deps.releases.getRelease(member.releaseId);
    if (release && !isTerminal(release.state)) {
      const failed = await this.deps.releases.transitionRelease(member.releaseId, 'failed', { by: 'system', at: this.now, failure: describeFailure(step, error) });
      await this.status(failed, 'failure', `${step} failed`);
    }
  }

  /** Every member deployed and tested: leases back; a rollback promotion is accepted now, as one set. */
  async tested(run: ProductRun): Promise<void> {
    const { releases } = this.deps;
    const members = run.waves.flat();
    await this.movePromotion(run.releaseId, 'testing', { by: 'codebuild' });
    if (run.kind === 'rollback') {
      for (const member of members) {
        const accepted = await this.acceptMember(run, member, { by: 'codebuild', detail: 'rollback tested green' });
        await this.status(accepted, 'success', 'rollback deployed and tested');
        if (accepted.rollbackOf) {
          await this.rolledBack(accepted.rollbackOf, async (id) => this.status(await releases.transitionRelease(id, 'rolled_back', { by: 'system', at: this.now }), 'failure', 'rolled back'));
        }
      }
      const promotion = await this.acceptSet(run, 'codebuild', 'rollback tested green');
      if (promotion.rollbackOf) await this.rolledBack(promotion.rollbackOf, (id) => this.deps.promotions.transitionPromotion(id, 'rolled_back', { by: 'system', at: this.now }));
    } else {
      await this.statusOfAll(run, 'pending', 'tested, waiting for acceptance');
    }
    await this.releaseLeases(run);
  }

  async accept(run: ProductRun, approval: { by: string; comment?: string }): Promise<void> {
    const detail = approval.comment ? { detail: approval.comment } : {};
    for (const member of run.waves.flat()) await this.acceptMember(run, member, { by: approval.by, ...detail });
    await this.acceptSet(run, approval.by, approval.comment);
    await this.statusOfAll(run, 'success', 'accepted');
  }

  /** A retried step (docs/architecture.md#promotions) finds members this promotion accepted already: each is accepted once. */
  private async acceptMember(run: ProductRun, member: MemberRun, change: { by: string; detail?: string }): Promise<Release> {
    const release = await this.deps.releases.getRelease(member.releaseId);
    if (release?.state === 'accepted' && release.promotionId === run.releaseId) return release;
    return this.deps.releases.markAccepted(member.releaseId, { ...change, at: this.now });
  }

  async reject(run: ProductRun, error: CaughtError): Promise<ProductEnding> {
    const { by, comment } = parseCause(error.Cause);
    const promotion = await this.mustGet(run.releaseId);
    const deployed = promotion.state === 'awaiting_acceptance';
    await this.end(promotion, 'rejected', { by: by ?? 'approver', ...(comment ? { detail: comment } : {}) });
    return { outcome: ENDING_OUTCOMES.rejected, ...(deployed ? await this.rollbackIf(run, promotion) : {}) };
  }

  async expire(run: ProductRun): Promise<ProductEnding> {
    const board = await this.deps.releases.board();
    for (const pending of board.pendingApprovals.filter((approval) => approval.releaseId === run.releaseId)) {
      await this.deps.approvals.closeApproval(pending.id, 'expired', this.now);
    }
    await this.end(await this.mustGet(run.releaseId), 'expired', { by: 'system', detail: `nobody decided within ${run.timeoutSeconds} s` });
    return { outcome: ENDING_OUTCOMES.expired };
  }

  /** A member's deploy or test failed (it recorded why), or a step failed: the whole set ends failed. */
  async fail(run: ProductRun, step: FailedStep, error: CaughtError): Promise<ProductEnding> {
    await this.releaseLeases(run);
    const promotion = await this.mustGet(run.releaseId);
    if (promotion.state === 'accepted') {
      // Its acceptance is recorded (a step after it failed): it is never failed or rolled back; its set is recorded, once.
      await this.recordSet(run, promotion);
      return { outcome: ENDING_OUTCOMES.failed, failure: describeFailure(step, error) };
    }
    const members = await this.memberReleases(promotion);
    const failed = members.find((member) => member.failure);
    const failure: Failure = failed?.failure
      ? { ...failed.failure, message: `${failed.repository}: ${failed.failure.message}` }
      : describeFailure(step, error);
    await this.end(promotion, 'failed', { by: 'system', failure, detail: failed ? `${failed.repository} failed its ${failed.failure?.step ?? step}` : undefined });
    const deployed = members.some((member) => member.startedAt !== undefined);
    return { outcome: ENDING_OUTCOMES.failed, failure, ...(deployed ? await this.rollbackIf(run, promotion) : {}) };
  }

  /**
   * With autoRollback, the members whose deploy started go back to what was accepted before the
   * promotion, as one rollback promotion the workflow goes on with. Nothing when no member has an earlier
   * accepted commit, or when another release took a member's environment meanwhile.
   */
  private async rollbackIf(run: ProductRun, promotion: Release): Promise<{ rollback?: ProductRun }> {
    if (run.kind !== 'release' || !run.autoRollback) return {};
    const members = await this.memberReleases(promotion);
    const back = (promotion.members ?? []).filter((member) => {
      const release = members.find((candidate) => candidate.releaseId === member.releaseId);
      return release?.startedAt !== undefined && member.previous !== null && member.previous !== member.commit;
    });
    // Each goes back to the build accepted here before; one accepted before versions were kept cannot.
    const versions = await Promise.all(back.map((member) => this.deps.releases.acceptedArtifact(member.repository, run.environment, member.previous ?? '')));
    const pinned = back.flatMap((member, index) => {
      const artifactVersion = versions[index];
      return artifactVersion ? [{ ...member, artifactVersion }] : [];
    });
    if (pinned.length === 0) return {};
    const now = this.deps.clock.now();
    try {
      const { release } = await this.deps.promotions.startPromotion({
        releaseId: newReleaseId(now),
        environment: run.environment,
        kind: 'rollback',
        requestedBy: `autoRollback of ${run.releaseId}`,
        createdAt: now.toISOString(),
        rollbackOf: run.releaseId,
        members: pinned.map((member) => ({
          repository: member.repository,
          commit: member.previous ?? '',
          releaseId: newReleaseId(now),
          previous: member.previous,
          rollbackOf: member.releaseId,
          artifactVersion: member.artifactVersion,
        })),
      });
      return { rollback: this.runOf(release) };
    } catch (error) {
      if (error instanceof ConflictError) return {};
      throw error;
    }
  }

  /** Safe to repeat: the promotion is accepted once, and its set recorded at that acceptance's time. */
  private async acceptSet(run: ProductRun, by: string, detail?: string): Promise<Release> {
    const current = await this.mustGet(run.releaseId);
    const promotion =
      current.state === 'accepted' ? current : await this.deps.promotions.transitionPromotion(run.releaseId, 'accepted', { by, at: this.now, ...(detail ? { detail } : {}) });
    await this.recordSet(run, promotion);
    return promotion;
  }

  private async recordSet(run: ProductRun, promotion: Release): Promise<void> {
    const acceptedAt = promotion.history.findLast((change) => change.state === 'accepted')?.at ?? promotion.updatedAt;
    const members = run.waves.flat().map(({ repository, commit }) => ({ repository, commit }));
    await this.deps.promotions.recordAcceptedSet({ environment: run.environment, releaseId: run.releaseId, kind: run.kind, acceptedAt, members });
  }

  /** The promotion and every member still in flight end the same way. */
  private async end(promotion: Release, to: ReleaseState, change: { by: string; detail?: string | undefined; failure?: Failure }): Promise<void> {
    const at = this.now;
    const { detail, ...rest } = change;
    for (const member of await this.memberReleases(promotion)) {
      if (isTerminal(member.state)) continue;
      const ended = await this.deps.releases
        .transitionRelease(member.releaseId, to, { ...rest, at, detail: detail ?? `promotion ${promotion.releaseId} ${to}` })
        .catch(ignoreConflict);
      if (ended) await this.status(ended, 'failure', `promotion ${promotion.releaseId} ${to}`);
    }
    if (!isTerminal(promotion.state)) await this.deps.promotions.transitionPromotion(promotion.releaseId, to, { ...rest, at, ...(detail ? { detail } : {}) });
  }

  private async status(member: Pick<Release, 'releaseId' | 'repository' | 'commit' | 'environment'>, state: CommitStatusUpdate['state'], description: string): Promise<void> {
    await this.deps.statuses?.publish({ repository: member.repository, releaseId: member.releaseId, commit: member.commit, environment: member.environment, state, description });
  }

  private async statusOfAll(run: ProductRun, state: CommitStatusUpdate['state'], description: string): Promise<void> {
    // At once: each call gives up on a slow host by itself (CommitStatuses), so 25 members take one wait, not 25.
    await Promise.all(run.waves.flat().map((member) => this.status({ ...member, environment: run.environment }, state, description)));
  }

  private async releaseLeases(run: ProductRun): Promise<void> {
    for (const member of run.waves.flat()) await this.deps.leases.releaseLease(member.repository, run.environment, member.releaseId);
  }

  private async memberReleases(promotion: Release): Promise<Release[]> {
    const found = await Promise.all((promotion.members ?? []).map((member) => this.deps.releases.getRelease(member.releaseId)));
    return found.filter((release): release is Release => release !== undefined);
  }

  /** A retried step finds the move already made. */
  private async move(releaseId: string, to: ReleaseState, change: { by: string }): Promise<void> {
    try {
      await this.deps.releases.transitionRelease(releaseId, to, { ...change, at: this.now });
    } catch (error) {
      if (!(error instanceof ConflictError) || (await this.deps.releases.getRelease(releaseId))?.state !== to) throw error;
    }
  }

  private async movePromotion(releaseId: string, to: ReleaseState, change: { by: string }): Promise<void> {
    try {
      await this.deps.promotions.transitionPromotion(releaseId, to, { ...change, at: this.now });
    } catch (error) {
      if (!(error instanceof ConflictError) || (await this.deps.releases.getRelease(releaseId))?.state !== to) throw error;
    }
  }

  /** Only an accepted release becomes rolled_back; a rejected or failed one keeps its ending. */
  private async rolledBack(releaseId: string, move: (releaseId: string) => Promise<unknown>): Promise<void> {
    await move(releaseId).catch(ignoreConflict);
  }

  private async mustGet(releaseId: string): Promise<Release> {
    const release = await this.deps.releases.getRelease(releaseId);
    if (!release) throw new NotFoundError(`promotion ${releaseId} does not exist`);
    return release;
  }

  private runOf(promotion: Release): ProductRun {
    const env = this.deps.chain.get(promotion.environment);
    const approval = env.mode === 'approval' ? env : undefined;
    const members = new Map<string, PromotionMember>((promotion.members ?? []).map((member) => [member.repository, member]));
    const waves = deployWaves(this.deps.config.repositories, [...members.keys()]).map((wave) =>
      wave.flatMap((name) => {
        const member = members.get(name);
        return member ? [{ releaseId: member.releaseId, repository: member.repository, commit: member.commit, artifactVersion: member.artifactVersion ?? '' }] : [];
      }),
    );
    return {
      releaseId: promotion.releaseId,
      environment: promotion.environment,
      kind: promotion.kind === 'rollback' ? 'rollback' : 'release',
      product: true,
      approveBeforeDeploy: promotion.kind === 'release' && (approval?.approveBeforeDeploy ?? false),
      autoRollback: approval?.autoRollback ?? false,
      timeoutSeconds: approval ? this.deps.chain.approvalTimeoutSeconds(promotion.environment) : 0,
      waves,
    };
  }
}

function ignoreConflict(error: unknown): void {
  if (!(error instanceof ConflictError)) throw error;
}
