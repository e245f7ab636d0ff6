import type { Actor, Failure, NewRelease, PromotionMember, Release } from './cmdb';
import type { FreezeOverride } from './freeze';
import type { ReleaseState } from './release-lifecycle';

/*
 * Promotions (docs/architecture.md#promotions): one release that moves several repositories of the
 * product into an environment together. It is a release record of its own (`repository` is
 * `PROMOTION_REPOSITORY`, no commit, `members`), and each member is an ordinary release of one repository
 * (`promotionId` set), so the board, the history and the acceptances of each repository stay as they are.
 */

/** The `repository` of a promotion's own record: no repository name can be it (names are [a-z0-9-]). */
export const PROMOTION_REPOSITORY = '*';

/** At most this many members: the transaction that starts a promotion writes two items per member plus two. */
export const MAX_PROMOTION_MEMBERS = 49;

export function isPromotion(release: Pick<Release, 'repository'>): boolean {
  return release.repository === PROMOTION_REPOSITORY;
}

/** A promotion about to be written: its record and a release per member. */
export interface NewPromotion {
  readonly releaseId: string;
  readonly environment: string;
  readonly kind: 'release' | 'rollback';
  readonly requestedBy: string;
  readonly createdAt: string;
  /** A rollback promotion: the promotion it undoes. */
  readonly rollbackOf?: string;
  /**
   * Where each member's commit takes its rank (docs/architecture.md#never-backwards): the environment below
   * for a promotion; a rollback's members are ranked in their own environment (the default).
   */
  readonly rankFrom?: string;
  readonly members: ReadonlyArray<PromotionMember & { readonly rollbackOf?: string }>;
  /** A promotion made during a freeze window: recorded on its record and on each member's release. */
  readonly freezeOverride?: FreezeOverride;
}

/** The set of commits a promotion made accepted in an environment. */
export interface AcceptedSet {
  readonly environment: string;
  readonly releaseId: string;
  readonly kind: 'release' | 'rollback';
  readonly acceptedAt: string;
  readonly members: ReadonlyArray<{ readonly repository: string; readonly commit: string }>;
}

export interface LeaseClaim {
  readonly repository: string;
  readonly environment: string;
  readonly holder: string;
}

/** The CMDB side of promotions; the member releases themselves are moved with `ReleaseStore`. */
export interface PromotionStore {
  /**
   * Writes the promotion, its member releases and each member's board cell in one conditional
   * transaction: every member becomes its cell's active release, or nothing is written. An equal
   * promotion (same kind and members) still in flight is returned instead (`existing`); any other active
   * promotion of the environment, or an active release of a member's cell, is a `ConflictError` naming it.
   */
  startPromotion(promotion: NewPromotion): Promise<{ release: Release; existing: boolean }>;
  /** Moves the promotion's own record along the lifecycle (no board cell: it has none). */
  transitionPromotion(releaseId: string, to: ReleaseState, change: Actor & { detail?: string; failure?: Failure }): Promise<Release>;
  /** Every member's deploy lease in one transaction, all or none; `LeaseBusyError` naming the busy ones. */
  claimLeases(claims: readonly LeaseClaim[], ttlSeconds: number, now: Date): Promise<void>;
  /**
   * The environment's accepted set moves to `set` (the board's product row) unless the row holds a newer
   * set or this one, and the set is logged once: a repeat writes nothing, an older set never throws.
   */
  recordAcceptedSet(set: AcceptedSet): Promise<void>;
  /** The last accepted set of each environment. */
  acceptedSets(): Promise<AcceptedSet[]>;
  /** Accepted sets of an environment, newest first, page by page. */
  setHistory(environment: string): AsyncIterable<AcceptedSet>;
}

/** The promotion's own record as first written. */
export function promotionRecord(promotion: NewPromotion): NewRelease {
  return {
    releaseId: promotion.releaseId,
    repository: PROMOTION_REPOSITORY,
    environment: promotion.environment,
    commit: '',
    kind: promotion.kind,
    requestedBy: promotion.requestedBy,
    createdAt: promotion.createdAt,
    ...(promotion.rollbackOf ? { rollbackOf: promotion.rollbackOf } : {}),
    ...(promotion.freezeOverride ? { freezeOverride: promotion.freezeOverride } : {}),
    members: promotion.members.map(({ repository, commit, releaseId, previous, artifactVersion }) => ({
      repository,
      commit,
      releaseId,
      previous,
      ...(artifactVersion ? { artifactVersion } : {}),
    })),
  };
}

/** A member's own release as first written. */
export function memberRecord(promotion: NewPromotion, member: NewPromotion['members'][number]): NewRelease {
  return {
    releaseId: member.releaseId,
    repository: member.repository,
    environment: promotion.environment,
    commit: member.commit,
    kind: promotion.kind,
    requestedBy: promotion.requestedBy,
    createdAt: promotion.createdAt,
    promotionId: promotion.releaseId,
    ...(member.rollbackOf ? { rollbackOf: member.rollbackOf } : {}),
    ...(member.artifactVersion ? { artifactVersion: member.artifactVersion } : {}),
    ...(promotion.rankFrom ? { rankFrom: promotion.rankFrom } : {}),
    ...(promotion.freezeOverride ? { freezeOverride: promotion.freezeOverride } : {}),
  };
}

/** Same kind, same commits of the same repositories. */
export function samePromotion(release: Release, promotion: NewPromotion): boolean {
  const key = (members: ReadonlyArray<{ repository: string; commit: string }>) =>
    members.map((member) => `${member.repository}@${member.commit}`).sort().join(',');
  return release.kind === promotion.kind && key(release.members ?? []) === key(promotion.members);
}
