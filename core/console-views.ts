import type { CommitInfo, Failure, Release } from './cmdb';
import type { PushStore, ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import type { ConsoleRights } from './console-access';
import { EnvironmentChain } from './environment-chain';
import { NotFoundError } from './errors';
import { commitUrl } from './repository-url';
import type { ProductEnvironmentView } from './product-views';
import { historyItemView, type BoardCellView, type HistoryItemView, type PendingApprovalView, type StatusView } from './release-views';

/*
 * What the web console reads (docs/console.md#api): the operators' answers (`release-views.ts`) plus what
 * a page shows beside them — each commit's message, author and link on the git host, who is signed in
 * and what they may do. Fields may be added, none renamed: the page reads them.
 */

/** A commit as a page shows it; `message` and `author` are null when the CMDB never saw its push. */
export interface CommitView {
  readonly sha: string;
  readonly url: string | null;
  readonly message: string | null;
  readonly author: string | null;
}

export interface ConsoleCell extends BoardCellView {
  readonly running: CommitView | null;
  readonly accepted: CommitView | null;
}

export interface ConsoleBoard {
  readonly product: string;
  readonly environments: Array<{ readonly name: string; readonly mode: 'continuous' | 'approval' }>;
  /**
   * One row per repository. Other kinds of row (a product's promotion) are added as fields of their own
   * beside this one, so a page that does not know them still shows the repositories.
   */
  readonly repositories: Array<{ readonly name: string; readonly url: string; readonly environments: Record<string, ConsoleCell | null> }>;
  readonly pendingApprovals: Array<PendingApprovalView & { readonly commitView: CommitView }>;
  readonly me: ConsoleMe;
  /** The product's row (docs/console.md#the-product-row): only for a product of two repositories or more. */
  readonly productRow?: ConsoleProduct;
}

/** One environment of the product row: the accepted set, and what a promotion into it would move. */
export interface ConsoleProductEnvironment extends ProductEnvironmentView {
  /** Each waiting repository's commit accepted in the environment below, as the promotion would take it. */
  readonly candidates: Array<{ readonly repository: string; readonly commit: CommitView }>;
}

export interface ConsoleProduct {
  readonly name: string;
  readonly environments: Record<string, ConsoleProductEnvironment>;
}

export interface ConsoleMe {
  readonly identity: string;
  readonly local: boolean;
  readonly rights: ConsoleRights;
}

export interface ConsoleHistoryItem extends HistoryItemView {
  readonly commitView: CommitView;
  readonly failure: Failure | null;
}

/** Where to read one step's log: CodeBuild's or the workflow's page on AWS, a file in local mode. */
export interface StepLog {
  /** `build`, `deploy`, `test`, or `workflow` (the run's page, which links each step's log). */
  readonly step: string;
  readonly at: string | null;
  readonly url: string;
}

export interface Candidate {
  readonly commit: CommitView;
  readonly acceptedAt: string;
}


/**
 * Commits never change once pushed: their messages are read from the CMDB once per handler and kept
 * (up to `limit`, the oldest forgotten first), so a board refreshed every few seconds costs one Query.
 */
export class CommitDescriber {
  private readonly known = new Map<string, CommitInfo | null>();

  constructor(
    private readonly pushes: Pick<PushStore, 'getCommit'>,
    private readonly config: ReleaseConfig,
    private readonly limit = 2000,
  ) {}

  async describe(repository: string, sha: string): Promise<CommitView> {
    const key = `${repository}\n${sha}`;
    let info = this.known.get(key);
    if (info === undefined) {
      info = (await this.pushes.getCommit(repository, sha)) ?? null;
      // A commit not recorded yet may be recorded later: only what was found is kept.
      if (info) {
        if (this.known.size >= this.limit) this.known.delete(this.known.keys().next().value ?? '');
        this.known.set(key, info);
      }
    }
    const config = this.config.repositories.find((candidate) => candidate.name === repository);
    return { sha, url: config ? commitUrl(config, sha) : null, message: info?.message ?? null, author: info?.author ?? null };
  }

  async maybe(repository: string, sha: string | null): Promise<CommitView | null> {
    return sha ? this.describe(repository, sha) : null;
  }
}

/** The board with each commit described, and what the signed-in person may do on it. */
export async function consoleBoard(status: StatusView, deps: { config: ReleaseConfig; commits: CommitDescriber; me: ConsoleMe }): Promise<ConsoleBoard> {
  const { config, commits } = deps;
  const repositories = await Promise.all(
    config.repositories.map(async (repository) => {
      const row = status.repositories.find((candidate) => candidate.name === repository.name);
      const cells = await Promise.all(
        status.environments.map(async (environment): Promise<[string, ConsoleCell | null]> => {
          const cell = row?.environments[environment] ?? null;
          if (!cell) return [environment, null];
          const [running, accepted] = await Promise.all([commits.maybe(repository.name, cell.commit), commits.maybe(repository.name, cell.acceptedCommit)]);
          return [environment, { ...cell, running, accepted }];
        }),
      );
      return { name: repository.name, url: repository.url, environments: Object.fromEntries(cells) };
    }),
  );
  const pendingApprovals = await Promise.all(status.pendingApprovals.map(async (approval) => ({ ...approval, commitView: await commits.describe(approval.repository, approval.commit) })));
  const row = status.product && config.repositories.length > 1 ? await productRow(status, status.product, commits) : undefined;
  return {
    product: config.product,
    environments: config.environments.map((env) => ({ name: env.name, mode: env.mode })),
    repositories,
    pendingApprovals,
    me: deps.me,
    ...(row ? { productRow: row } : {}),
  };
}

/** The operators' product row with each waiting repository's candidate commit (accepted below) described. */
async function productRow(status: StatusView, product: NonNullable<StatusView['product']>, commits: CommitDescriber): Promise<ConsoleProduct> {
  const accepted = (repository: string, environment: string) => status.repositories.find((row) => row.name === repository)?.environments[environment]?.acceptedCommit ?? null;
  const environments = await Promise.all(
    status.environments.map(async (environment, index): Promise<[string, ConsoleProductEnvironment]> => {
      const view = product.environments[environment] ?? { releaseId: null, acceptedAt: null, waiting: [], changesWaiting: 0 };
      const below = status.environments[index - 1];
      const candidates = await Promise.all(
        view.waiting.flatMap((repository) => {
          const commit = below === undefined ? null : accepted(repository, below);
          return commit ? [commits.describe(repository, commit).then((described) => ({ repository, commit: described }))] : [];
        }),
      );
      return [environment, { ...view, candidates }];
    }),
  );
  return { name: product.name, environments: Object.fromEntries(environments) };
}

function checkCell(config: ReleaseConfig, repository: string, environment: string): EnvironmentChain {
  if (!config.repositories.some((candidate) => candidate.name === repository)) {
    throw new NotFoundError(`unknown repository "${repository}"; configured: ${config.repositories.map((r) => r.name).join(', ')}`);
  }
  const chain = new EnvironmentChain(config);
  chain.get(environment);
  return chain;
}

/** A cell's deployments, newest first, with each commit described and each failure with its step. */
export async function consoleHistory(
  deps: { config: ReleaseConfig; releases: Pick<ReleaseStore, 'history'>; commits: CommitDescriber },
  repository: string,
  environment: string,
  page: { limit?: number; cursor?: string },
): Promise<{ items: ConsoleHistoryItem[]; cursor: string | null }> {
  checkCell(deps.config, repository, environment);
  const result = await deps.releases.history(repository, environment, page);
  const items = await Promise.all(
    result.items.map(async (release: Release) => ({ ...historyItemView(release), commitView: await deps.commits.describe(repository, release.commit), failure: release.failure ?? null })),
  );
  return { items, cursor: result.cursor };
}

/**
 * What a cell's actions may pick, newest first: for a release, the commits accepted in the environment
 * below (none for a continuous environment); for a rollback, those accepted here other than the one
 * running now. Each commit once, at its latest acceptance.
 */
export async function consoleCandidates(
  deps: { config: ReleaseConfig; releases: Pick<ReleaseStore, 'acceptedCommits' | 'boardCell'>; commits: CommitDescriber },
  repository: string,
  environment: string,
  limit = 25,
): Promise<{ release: Candidate[]; rollback: Candidate[]; running: string | null }> {
  const chain = checkCell(deps.config, repository, environment);
  const below = chain.get(environment).mode === 'approval' ? chain.below(environment) : undefined;
  const cell = await deps.releases.boardCell(repository, environment);
  const running = cell?.commit ?? null;
  const list = async (env: string | undefined, skip: string | null): Promise<Candidate[]> => {
    if (!env) return [];
    const seen = new Set<string>();
    const accepted = (await deps.releases.acceptedCommits(repository, env, limit)).filter((item) => {
      if (item.commit === skip || seen.has(item.commit)) return false;
      seen.add(item.commit);
      return true;
    });
    return Promise.all(accepted.map(async (item) => ({ commit: await deps.commits.describe(repository, item.commit), acceptedAt: item.acceptedAt })));
  };
  const [release, rollback] = await Promise.all([list(below?.name, null), list(environment, running)]);
  return { release, rollback, running };
}
