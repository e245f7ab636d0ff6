import type { Board, Release } from './cmdb';
import type { ReleaseConfig } from './config';
import type { AcceptedSet } from './promotions';
import type { ReleaseState } from './release-lifecycle';

/*
 * The JSON of promotions (docs/architecture.md#json-answers): the board's product row, and the members
 * a promotion shows in `GET /api/releases/{id}`. Fields are added to the existing answers, none renamed.
 */

/** One environment of the product row. */
export interface ProductEnvironmentView {
  /** The promotion that made the environment's accepted set, and when; null before the first one. */
  readonly releaseId: string | null;
  readonly acceptedAt: string | null;
  /** Repositories whose commit accepted in the environment below does not run here yet. */
  readonly waiting: string[];
  /** `waiting.length`: "2 changes waiting". */
  readonly changesWaiting: number;
}

export interface ProductView {
  readonly name: string;
  readonly environments: Record<string, ProductEnvironmentView>;
}

export interface MemberView {
  readonly repository: string;
  readonly commit: string;
  readonly releaseId: string;
  readonly state: ReleaseState | null;
  /** What was accepted in the environment before the promotion: where a rollback returns it. */
  readonly previous: string | null;
}

export function productView(config: ReleaseConfig, board: Board, sets: readonly AcceptedSet[]): ProductView {
  const cell = (repository: string, environment: string) => board.entries.find((entry) => entry.repository === repository && entry.environment === environment);
  const environments: Record<string, ProductEnvironmentView> = {};
  config.environments.forEach((env, index) => {
    const below = config.environments[index - 1];
    const waiting = below
      ? config.repositories
          .map((repository) => repository.name)
          .filter((name) => {
            const accepted = cell(name, below.name)?.acceptedCommit;
            return accepted != null && cell(name, env.name)?.commit !== accepted;
          })
      : [];
    const set = sets.find((candidate) => candidate.environment === env.name);
    environments[env.name] = { releaseId: set?.releaseId ?? null, acceptedAt: set?.acceptedAt ?? null, waiting, changesWaiting: waiting.length };
  });
  return { name: config.product, environments };
}

export function memberViews(promotion: Release, members: ReadonlyArray<Release | undefined>): MemberView[] {
  return (promotion.members ?? []).map((member, index) => ({
    repository: member.repository,
    commit: member.commit,
    releaseId: member.releaseId,
    state: members[index]?.state ?? null,
    previous: member.previous,
  }));
}
