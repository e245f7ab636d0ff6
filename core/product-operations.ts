import type { BoardCell, Release } from './cmdb';
import type { ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import { EnvironmentChain } from './environment-chain';
import { ConflictError, NotFoundError } from './errors';
import { checkFreeze } from './freeze';
import { newReleaseId } from './ids';
import type { Clock, WorkflowEngine } from './ports';
import type { AcceptedSet, NewPromotion, PromotionStore } from './promotions';

export interface ProductOperationsDeps {
  readonly config: ReleaseConfig;
  readonly releases: ReleaseStore;
  readonly promotions: PromotionStore;
  readonly workflows: WorkflowEngine;
  readonly clock: Clock;
}

export interface PromoteInput {
  readonly environment: string;
  /** @default every configured repository */
  readonly repositories?: readonly string[];
  readonly requestedBy: string;
  /** Why to promote although the environment is frozen (docs/operations.md#freeze-windows); recorded on the promotion and its members. */
  readonly override?: string;
}

export interface Promoted {
  readonly releaseId: string;
  readonly members: Array<{ repository: string; commit: string }>;
}

/** How far back `rollbackProduct` looks for a promotion to undo. */
const MAX_SET_LOOKBACK = 100;

/**
 * Operator use cases of promotions (docs/architecture.md#promotions): promote the product into an
 * environment, roll the last promotion back. As for one repository, every refusal comes before anything
 * is written.
 */
export class ProductOperations {
  private readonly chain: EnvironmentChain;

  constructor(private readonly deps: ProductOperationsDeps) {
    this.chain = new EnvironmentChain(deps.config);
  }

  /** Each named repository's commit accepted in the environment below, unless it already runs here. */
  async promote(input: PromoteInput): Promise<Promoted> {
    const { environment } = input;
    const env = this.chain.get(environment);
    if (env.mode === 'continuous') throw new ConflictError(`${environment} is a continuous environment: promotions go to approval environments`);
    const below = this.chain.below(environment);
    if (!below) throw new ConflictError(`${environment} has no environment below it to promote from`);
    // Freeze windows, as for a release (docs/operations.md#freeze-windows): refused before anything is read or written.
    const freezeOverride = checkFreeze(env, { now: this.deps.clock.now(), by: input.requestedBy, ...(input.override === undefined ? {} : { override: input.override }) });
    const names = this.repositories(input.repositories);
    const cells = await this.cells();
    const now = this.deps.clock.now();
    const members: NewPromotion['members'][number][] = [];
    for (const repository of names) {
      const accepted = cells.get(key(repository, below.name))?.acceptedCommit;
      const here = cells.get(key(repository, environment));
      if (!accepted || here?.commit === accepted) continue;
      const artifactVersion = await this.artifactOf(repository, below.name, accepted);
      members.push({ repository, commit: accepted, releaseId: newReleaseId(now), previous: here?.acceptedCommit ?? null, artifactVersion });
    }
    if (members.length === 0) {
      throw new ConflictError(`nothing to promote into ${environment}: ${names.join(', ')} already run${names.length === 1 ? 's' : ''} what is accepted in ${below.name} (or nothing is accepted there yet)`);
    }
    // Each member is ranked by its acceptance below: none may take its cell back (docs/architecture.md#never-backwards).
    return this.start({ releaseId: newReleaseId(now), environment, kind: 'release', requestedBy: input.requestedBy, createdAt: now.toISOString(), rankFrom: below.name, members, ...(freezeOverride ? { freezeOverride } : {}) });
  }

  /**
   * Undoes the environment's last accepted promotion: each of its members goes back to the commit accepted
   * there before it, unless something else was accepted for that repository since (left out).
   */
  async rollbackProduct(input: { environment: string; requestedBy: string }): Promise<Promoted> {
    const { environment } = input;
    const env = this.chain.get(environment);
    if (env.mode === 'continuous') throw new ConflictError(`${environment} is a continuous environment: roll its repositories back one at a time`);
    const last = await this.lastPromotion(environment);
    if (!last) throw new ConflictError(`nothing to roll back: no accepted promotion in ${environment}`);
    const cells = await this.cells();
    const now = this.deps.clock.now();
    const members: NewPromotion['members'][number][] = [];
    for (const member of last.members ?? []) {
      const cell = cells.get(key(member.repository, environment));
      if (!member.previous || cell?.acceptedCommit !== member.commit) continue;
      // Back to the build accepted here before, as a rollback of one repository.
      const artifactVersion = await this.artifactOf(member.repository, environment, member.previous);
      members.push({ repository: member.repository, commit: member.previous, releaseId: newReleaseId(now), previous: cell.acceptedCommit, rollbackOf: member.releaseId, artifactVersion });
    }
    if (members.length === 0) throw new ConflictError(`nothing to roll back in ${environment}: promotion ${last.releaseId} had nothing accepted before it, or its repositories moved on since`);
    return this.start({ releaseId: newReleaseId(now), environment, kind: 'rollback', requestedBy: input.requestedBy, createdAt: now.toISOString(), rollbackOf: last.releaseId, members });
  }

  /** The last accepted set of each environment, for the board. */
  acceptedSets(): Promise<AcceptedSet[]> {
    return this.deps.promotions.acceptedSets();
  }

  private async start(promotion: NewPromotion): Promise<Promoted> {
    const { promotions, workflows, releases, clock } = this.deps;
    const started = await promotions.startPromotion(promotion);
    const answer = { releaseId: started.release.releaseId, members: (started.release.members ?? []).map(({ repository, commit }) => ({ repository, commit })) };
    if (started.existing && started.release.state !== 'prepared') return answer;
    try {
      await workflows.startPromotion(
        { releaseId: answer.releaseId, environment: promotion.environment, kind: promotion.kind, requestedBy: promotion.requestedBy, product: true },
        answer.releaseId,
      );
    } catch (error) {
      // No workflow will ever move them: end the promotion and its members now.
      const change = { by: 'system', at: clock.now().toISOString(), failure: { step: 'workflow' as const, message: 'the promotion workflow could not be started' } };
      for (const member of started.release.members ?? []) await releases.transitionRelease(member.releaseId, 'failed', change).catch(() => undefined);
      await promotions.transitionPromotion(answer.releaseId, 'failed', change).catch(() => undefined);
      throw error;
    }
    return answer;
  }

  /**
   * The artifact version accepted with the commit in `environment` (docs/deploy-to-aws.md#artifact-versions);
   * a commit accepted before versions were kept is refused, as a release of it is.
   */
  private async artifactOf(repository: string, environment: string, commit: string): Promise<string> {
    const version = await this.deps.releases.acceptedArtifact(repository, environment, commit);
    if (version === undefined) {
      throw new ConflictError(`no artifact version of ${repository} ${commit.slice(0, 7)} was recorded in ${environment}: push the commit again to build it`);
    }
    return version;
  }

  private async lastPromotion(environment: string): Promise<Release | undefined> {
    let read = 0;
    for await (const set of this.deps.promotions.setHistory(environment)) {
      if (++read > MAX_SET_LOOKBACK) return undefined;
      if (set.kind !== 'release') continue;
      const promotion = await this.deps.releases.getRelease(set.releaseId);
      if (promotion?.state === 'accepted') return promotion;
    }
    return undefined;
  }

  private repositories(named: readonly string[] | undefined): string[] {
    const configured = this.deps.config.repositories.map((repository) => repository.name);
    if (!named || named.length === 0) return configured;
    const unknown = named.filter((name) => !configured.includes(name));
    if (unknown.length > 0) throw new NotFoundError(`unknown repository "${unknown[0]}"; configured: ${configured.join(', ')}`);
    return configured.filter((name) => named.includes(name));
  }

  private async cells(): Promise<Map<string, BoardCell>> {
    const board = await this.deps.releases.board();
    return new Map(board.entries.map((cell) => [key(cell.repository, cell.environment), cell]));
  }
}

function key(repository: string, environment: string): string {
  return `${repository}\n${environment}`;
}

