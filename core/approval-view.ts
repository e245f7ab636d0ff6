import type { Approval } from './cmdb';
import type { PushStore, ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import { PROMOTION_REPOSITORY } from './promotions';
import { commitUrl, compareUrl } from './repository-url';
import type { ApprovalGate } from './release-lifecycle';

/**
 * Everything an approver needs to decide, gathered once for the email and for the approval page so both
 * say the same thing. Never carries the task token.
 */
export interface ApprovalView {
  readonly approvalId: string;
  readonly releaseId: string;
  readonly repository: string;
  /** The repository's web URL from the config; undefined when the repository left the config. */
  readonly repositoryUrl?: string;
  readonly environment: string;
  /** The environment an accepted commit may go to next; undefined for the last one. */
  readonly nextEnvironment?: string;
  readonly gate: ApprovalGate;
  readonly commit: string;
  readonly shortCommit: string;
  /** From the pushed commit's record; undefined when the CMDB never saw the push (a tag of an old commit). */
  readonly message?: string;
  readonly author?: string;
  readonly requestedBy: string;
  /** The commit running in the environment now; null when nothing was deployed there yet. */
  readonly runningNow: string | null;
  /**
   * The changes to look at: before a deploy, what runs now against the candidate; after the tests (the
   * candidate already runs there), the commit last accepted against the candidate.
   */
  readonly compare?: { readonly base: string; readonly url: string };
  readonly expiresAt: Date;
  /** A promotion (docs/architecture.md#promotions): every member, with its changes; `repository` is then the product. */
  readonly members?: readonly MemberFacts[];
}

/** One member of a promotion, as an approver sees it. */
export interface MemberFacts {
  readonly repository: string;
  readonly commit: string;
  readonly shortCommit: string;
  /** The commit's page on its git host. */
  readonly commitUrl?: string;
  readonly message?: string;
  readonly author?: string;
  readonly runningNow: string | null;
  readonly compare?: { readonly base: string; readonly url: string };
}

export const shortSha = (commit: string): string => commit.slice(0, 7);

export async function describeApproval(approval: Approval, deps: { releases: ReleaseStore; pushes: PushStore; config: ReleaseConfig }): Promise<ApprovalView> {
  const { releases, pushes, config } = deps;
  if (approval.repository === PROMOTION_REPOSITORY) return describePromotion(approval, deps);
  const [commit, board] = await Promise.all([
    pushes.getCommit(approval.repository, approval.commit),
    releases.boardCell(approval.repository, approval.environment),
  ]);
  const repository = config.repositories.find((candidate) => candidate.name === approval.repository);
  const index = config.environments.findIndex((env) => env.name === approval.environment);
  const next = index >= 0 ? config.environments[index + 1]?.name : undefined;
  const base = approval.gate === 'accept' ? board?.acceptedCommit : board?.commit;
  const url = repository && base && base !== approval.commit ? compareUrl(repository, base, approval.commit) : undefined;
  return {
    approvalId: approval.approvalId,
    releaseId: approval.releaseId,
    repository: approval.repository,
    ...(repository ? { repositoryUrl: repository.url } : {}),
    environment: approval.environment,
    ...(next ? { nextEnvironment: next } : {}),
    gate: approval.gate,
    commit: approval.commit,
    shortCommit: shortSha(approval.commit),
    ...(commit ? { message: commit.message, author: commit.author } : {}),
    requestedBy: approval.requestedBy,
    runningNow: board?.commit ?? null,
    ...(url && base ? { compare: { base, url } } : {}),
    expiresAt: new Date(approval.expiresAt),
  };
}

/** A promotion's approval: the product, and each member with its commit and its changes since what runs there. */
async function describePromotion(approval: Approval, deps: { releases: ReleaseStore; pushes: PushStore; config: ReleaseConfig }): Promise<ApprovalView> {
  const { releases, pushes, config } = deps;
  const promotion = await releases.getRelease(approval.releaseId);
  const members = await Promise.all(
    (promotion?.members ?? []).map(async (member): Promise<MemberFacts> => {
      const [commit, board] = await Promise.all([pushes.getCommit(member.repository, member.commit), releases.boardCell(member.repository, approval.environment)]);
      const repository = config.repositories.find((candidate) => candidate.name === member.repository);
      // Before the deploy, the changes since what runs there; after it (the member runs there), since what was accepted before.
      const base = approval.gate === 'accept' ? member.previous : board?.commit;
      return {
        repository: member.repository,
        commit: member.commit,
        shortCommit: shortSha(member.commit),
        ...(repository ? { commitUrl: commitUrl(repository, member.commit) } : {}),
        ...(commit ? { message: commit.message, author: commit.author } : {}),
        runningNow: board?.commit ?? null,
        ...(repository && base && base !== member.commit ? { compare: { base, url: compareUrl(repository, base, member.commit) } } : {}),
      };
    }),
  );
  const index = config.environments.findIndex((env) => env.name === approval.environment);
  const next = index >= 0 ? config.environments[index + 1]?.name : undefined;
  return {
    approvalId: approval.approvalId,
    releaseId: approval.releaseId,
    repository: config.product,
    environment: approval.environment,
    ...(next ? { nextEnvironment: next } : {}),
    gate: approval.gate,
    commit: '',
    shortCommit: `${members.length} repositor${members.length === 1 ? 'y' : 'ies'}`,
    requestedBy: approval.requestedBy,
    runningNow: null,
    expiresAt: new Date(approval.expiresAt),
    members,
  };
}


export function gateTitle(gate: ApprovalGate): string {
  return gate === 'approve_deploy' ? 'Approve before deploy' : 'Accept after tests';
}

/** What saying yes does, in one sentence. */
export function gateConsequence(view: Pick<ApprovalView, 'gate' | 'shortCommit' | 'environment' | 'nextEnvironment'>): string {
  if (view.gate === 'approve_deploy') {
    return `Approving deploys ${view.shortCommit} to ${view.environment}, where it is tested next.`;
  }
  const then = view.nextEnvironment ? `it may then be released to ${view.nextEnvironment}` : 'the release is then complete';
  return `${view.shortCommit} is deployed in ${view.environment} and its tests passed. Accepting marks it accepted there: ${then}.`;
}

/** `2024-06-01 12:00 UTC`: the same on every machine, whatever its time zone. */
export function formatTime(at: Date | string): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(date.getTime()) ? String(at) : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
