import type { Approvals } from './approvals';
import { rollbackTarget } from './rollback-target';
import type { BoardCell, NewRelease } from './cmdb';
import type { PushStore, ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import { EnvironmentChain } from './environment-chain';
import { checkFreeze } from './freeze';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { isReleaseId, newReleaseId } from './ids';
import type { Clock, PromotionInput, WorkflowEngine } from './ports';
import { memberViews, productView } from './product-views';
import type { PromotionStore } from './promotions';
import type { Decision } from './release-lifecycle';
import { historyItemView, releaseView, statusView, type HistoryView, type ReleaseView, type StatusView } from './release-views';

export interface ReleaseOperationsDeps {
  readonly config: ReleaseConfig;
  readonly releases: ReleaseStore;
  readonly pushes: PushStore;
  readonly workflows: WorkflowEngine;
  readonly clock: Clock;
  /** @default an EnvironmentChain of `config` */
  readonly chain?: EnvironmentChain;
  /** Decides as an operator and closes what a new release supersedes (no notifier needed: the API sends no email). */
  readonly approvals: Approvals;
  /** Promotions: the board's product row and a promotion's members. @default neither is shown */
  readonly promotions?: PromotionStore;
}

export interface PrepareReleaseInput {
  readonly repository: string;
  readonly environment: string;
  /** A full SHA, a unique short SHA or a tag. */
  readonly ref: string;
  readonly requestedBy: string;
  /** Why to release although the environment is frozen (docs/operations.md#freeze-windows); recorded on the release. */
  readonly override?: string;
}

export interface RollbackInput {
  readonly repository: string;
  readonly environment: string;
  /** The commit to go back to (a ref, as for a release). @default the newest accepted commit there that is not running now */
  readonly to?: string;
  readonly requestedBy: string;
}

export interface ApiDecisionInput {
  readonly approvalId: string;
  readonly decision: Decision;
  readonly comment?: string;
  /** The caller's IAM identity. */
  readonly by: string;
}

/** The board cell whose hold to lift. */
export type ResumeInput = Pick<BoardCell, 'repository' | 'environment'>;

/**
 * What operators do through `/api/*` (docs/architecture.md#http-api): read the board and history, prepare releases and
 * rollbacks, decide approvals as themselves, lift a hold. Every refusal happens before anything is
 * written or started, so a 409 leaves the CMDB and the workflows as they were.
 */
export class ReleaseOperations {
  private readonly chain: EnvironmentChain;

  constructor(private readonly deps: ReleaseOperationsDeps) {
    this.chain = deps.chain ?? new EnvironmentChain(deps.config);
  }

  /** The whole board from one CMDB Query. */
  async status(): Promise<StatusView> {
    const { promotions, config } = this.deps;
    const [board, sets] = await Promise.all([this.deps.releases.board(), promotions ? promotions.acceptedSets() : undefined]);
    const view = statusView(config, board, this.deps.clock.now());
    return sets ? { ...view, product: productView(config, board, sets) } : view;
  }

  async history(repository: string, environment: string, page: { limit?: number; cursor?: string } = {}): Promise<HistoryView> {
    this.checkCell({ repository, environment });
    const result = await this.deps.releases.history(repository, environment, page);
    return { items: result.items.map(historyItemView), cursor: result.cursor };
  }

  async showRelease(releaseId: string): Promise<ReleaseView> {
    if (!isReleaseId(releaseId)) throw new ValidationError(`"${releaseId.slice(0, 40)}${releaseId.length > 40 ? '…' : ''}" is not a release id`);
    const release = await this.deps.releases.getRelease(releaseId);
    if (!release) throw new NotFoundError(`release ${releaseId} does not exist`);
    if (!release.members) return releaseView(release);
    // A promotion (docs/architecture.md#promotions): its members, each with the state of its own release.
    const members = await Promise.all(release.members.map((member) => this.deps.releases.getRelease(member.releaseId)));
    return { ...releaseView(release), members: memberViews(release, members) };
  }

  /** A release of a commit accepted in the environment below into an approval environment. */
  async prepareRelease(input: PrepareReleaseInput): Promise<{ releaseId: string }> {
    const { repository, environment } = input;
    const env = this.checkCell(input);
    if (env.mode === 'continuous') {
      throw new ConflictError(
        `${environment} is a continuous environment: every push of ${env.branch} is deployed there; releases go to ${this.approvalNames()}`,
      );
    }
    // The first environment is always continuous (config rule), so an approval environment has one below.
    const below = this.chain.below(environment);
    if (!below) throw new ConflictError(`${environment} has no environment below it to release from`);
    const freezeOverride = checkFreeze(env, { now: this.deps.clock.now(), by: input.requestedBy, ...(input.override === undefined ? {} : { override: input.override }) });
    const commit = await this.resolve(repository, input.ref);
    if (!(await this.deps.releases.isAccepted(repository, below.name, commit))) {
      throw new ConflictError(`${short(commit)} is not accepted in ${below.name}: only a commit accepted there may be released into ${environment}`);
    }
    // The build accepted below, pinned on the release as it is made: the workflow need not write it again
    // (without one, recorded before artifact versions existed, the workflow refuses the release).
    const artifactVersion = await this.deps.releases.acceptedArtifact(repository, below.name, commit);
    // Ranked by its acceptance below: it may not take the environment back (docs/architecture.md#never-backwards).
    return this.start({
      repository,
      environment,
      commit,
      kind: 'release',
      requestedBy: input.requestedBy,
      rankFrom: below.name,
      ...(artifactVersion ? { artifactVersion } : {}),
      ...(freezeOverride ? { freezeOverride } : {}),
    });
  }

  /**
   * A redeploy of a commit accepted earlier in this environment (continuous ones too); no approval: the
   * operator's identity authorises it. The workflow marks what it replaces `rolled_back` and holds a
   * continuous environment.
   */
  async rollback(input: RollbackInput): Promise<{ releaseId: string }> {
    const { repository, environment } = input;
    this.checkCell(input);
    const { releases } = this.deps;
    const current = await releases.boardCell(repository, environment);
    let commit: string;
    if (input.to !== undefined) {
      commit = await this.resolve(repository, input.to);
      if (!(await releases.isAccepted(repository, environment, commit))) {
        throw new ConflictError(`${short(commit)} was never accepted in ${environment}: a rollback goes back to a commit accepted there`);
      }
      if (commit === current?.commit) throw new ConflictError(`${short(commit)} is what runs in ${environment} now: nothing to roll back`);
    } else {
      const target = await rollbackTarget(releases.acceptances(repository, environment), {
        leaving: [current?.commit ?? undefined],
        rolledBack: async (releaseId) => (await releases.getRelease(releaseId))?.state === 'rolled_back',
      });
      if (!target) throw new ConflictError(`nothing to roll back to: ${repository} has no accepted commit in ${environment} other than the one running now`);
      commit = target.commit;
    }
    // The build that was accepted here, pinned on the rollback as it is made (see prepareRelease).
    const artifactVersion = await releases.acceptedArtifact(repository, environment, commit);
    return this.start({
      repository,
      environment,
      commit,
      kind: 'rollback',
      requestedBy: input.requestedBy,
      ...(artifactVersion ? { artifactVersion } : {}),
      ...(current?.deployedReleaseId ? { rollbackOf: current.deployedReleaseId } : {}),
    });
  }

  /** Approve or reject as an IAM identity: recorded by name, no link or typed confirmation needed. */
  async decideFromApi(input: ApiDecisionInput) {
    const approval = await this.deps.approvals.decide({
      approvalId: input.approvalId,
      decision: input.decision,
      by: input.by,
      via: 'api',
      ...(input.comment === undefined ? {} : { comment: input.comment }),
    });
    return {
      approvalId: approval.approvalId,
      releaseId: approval.releaseId,
      status: approval.status,
      decidedBy: approval.decidedBy ?? input.by,
      decidedAt: approval.decidedAt ?? null,
    };
  }

  /** Lifts the hold a rollback put on a continuous environment; the next push deploys there again. */
  async resume(input: ResumeInput): Promise<{ repository: string; environment: string; held: false }> {
    const { repository, environment } = input;
    this.checkCell(input);
    // A cell the CMDB does not have is not held: writing one would put an empty cell on the board.
    if (await this.deps.releases.boardCell(repository, environment)) {
      await this.deps.releases.setHeld(repository, environment, false, this.deps.clock.now().toISOString());
    }
    return { repository, environment, held: false };
  }

  /**
   * Records the release, closes what it supersedes, then starts its workflow, named by the release id.
   * Superseding comes first so the older workflow is told before the newer one can ask for approval.
   */
  private async start(release: Omit<NewRelease, 'releaseId' | 'createdAt'> & { kind: PromotionInput['kind'] }): Promise<{ releaseId: string }> {
    const { releases, workflows, clock } = this.deps;
    const now = clock.now();
    // One release at a time per repository and environment, enforced by the CMDB: an equal request in
    // flight answers the release it already made, and starts nothing more.
    const started = await releases.startExclusive({ ...release, releaseId: newReleaseId(now), createdAt: now.toISOString() });
    const { releaseId } = started.release;
    if (started.existing && started.release.state !== 'prepared') return { releaseId };
    // A `prepared` one may be a request whose workflow never started (its caller died): start it now.
    // The execution is named by the release id, so a run that did start is not started twice.
    await this.deps.approvals.supersedeWaiting(release.repository, release.environment, releaseId);
    const input: PromotionInput = {
      releaseId,
      repository: release.repository,
      environment: release.environment,
      commit: release.commit,
      kind: release.kind,
      requestedBy: release.requestedBy,
    };
    try {
      await workflows.startPromotion(input, releaseId);
    } catch (error) {
      // No workflow will ever move it: end the release now rather than leave it `prepared` forever.
      await releases
        .transitionRelease(releaseId, 'failed', {
          by: 'system',
          at: clock.now().toISOString(),
          failure: { step: 'workflow', message: 'the promotion workflow could not be started' },
        })
        .catch(() => undefined);
      throw error;
    }
    return { releaseId };
  }

  private checkCell(cell: Pick<BoardCell, 'repository' | 'environment'>) {
    if (!this.deps.config.repositories.some((repository) => repository.name === cell.repository)) {
      throw new NotFoundError(`unknown repository "${cell.repository}"; configured: ${this.deps.config.repositories.map((r) => r.name).join(', ')}`);
    }
    return this.chain.get(cell.environment);
  }

  /** A ref to a full SHA; an unknown or ambiguous ref is a 409 (the request was well formed, the CMDB says no). */
  private async resolve(repository: string, ref: string): Promise<string> {
    let commit: string | undefined;
    try {
      commit = await this.deps.pushes.resolveRef(repository, ref.trim());
    } catch (error) {
      if (error instanceof ValidationError) throw new ConflictError(error.message, { cause: error });
      throw error;
    }
    if (!commit) throw new ConflictError(`unknown ref "${ref}" in ${repository}: no pushed commit or tag matches it`);
    return commit;
  }

  private approvalNames(): string {
    return this.deps.config.environments.filter((env) => env.mode === 'approval').map((env) => env.name).join(', ') || 'approval environments';
  }
}

function short(commit: string): string {
  return commit.slice(0, 7);
}
