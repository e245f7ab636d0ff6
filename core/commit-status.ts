import type { Provider, RepositoryConfig } from './config';
import type { CommitStatusPublisher, CommitStatusUpdate, SecretStore } from './ports';

/*
 * Commit statuses on the git host (docs/operations.md#commit-statuses): each environment shows on the
 * commit as `cot/<environment>`, pending while it is deployed and tested, then success or failure, with
 * a link to the release. A status is a courtesy to developers: a failing call is logged, never fatal.
 */

export type CommitState = 'pending' | 'success' | 'failure';

export interface CommitStatus {
  readonly commit: string;
  readonly environment: string;
  readonly state: CommitState;
  /** One line for the commit page: "deploying", "accepted", "test failed". */
  readonly description: string;
  /** The release's page or API answer. */
  readonly targetUrl?: string;
}

/** One git host's status API, as its documentation describes it. */
export interface CommitStatusHost {
  /** `signal` aborts the request when the caller gives up on it. */
  setStatus(request: { readonly repository: RepositoryConfig; readonly token: string; readonly status: CommitStatus; readonly signal?: AbortSignal }): Promise<void>;
}

/** What every host shows as the status's name. */
export function statusContext(environment: string): string {
  return `cot/${environment}`;
}

export interface CommitStatusesDeps {
  readonly repositories: readonly RepositoryConfig[];
  readonly hosts: Readonly<Record<Provider, CommitStatusHost>>;
  /** Where each repository's `commitStatus.tokenSecret` is read (Secrets Manager on AWS, a file locally). */
  readonly secrets: SecretStore;
  readonly onError: (repository: string, status: CommitStatus, error: unknown) => void;
  /**
   * The page a status links to: the console's release page when the platform knows it, else the API's
   * `/api/releases/<id>`. @default no link
   */
  readonly releaseUrl?: (releaseId: string) => string | undefined;
  /** @default STATUS_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** How long a status call may take, secret read included: well inside a step Lambda's 30 s. */
export const STATUS_TIMEOUT_MS = 5_000;

/** Sets statuses for the repositories that ask for them (`commitStatus` in the config); never throws. */
export class CommitStatuses implements CommitStatusPublisher {
  constructor(private readonly deps: CommitStatusesDeps) {}

  /** The workflow steps' call: the status of one release's commit in its environment, linked to the release. */
  async publish(update: CommitStatusUpdate): Promise<void> {
    const { repository, releaseId, ...rest } = update;
    let targetUrl: string | undefined;
    try {
      targetUrl = this.deps.releaseUrl?.(releaseId);
    } catch (error) {
      this.deps.onError(repository, rest, error);
    }
    await this.report(repository, { ...rest, ...(targetUrl ? { targetUrl } : {}) });
  }

  /**
   * Sets one status; false when it could not (logged through `onError`). A host that does not answer
   * within `timeoutMs` (default `STATUS_TIMEOUT_MS`) is given up on: a slow git host never holds a workflow step until its
   * Lambda times out, which would fail the release.
   */
  async report(repositoryName: string, status: CommitStatus): Promise<boolean> {
    const repository = this.deps.repositories.find((candidate) => candidate.name === repositoryName);
    if (!repository?.commitStatus) return false;
    const tokenSecret = repository.commitStatus.tokenSecret;
    const timeoutMs = this.deps.timeoutMs ?? STATUS_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const call = (async () => {
        const token = await this.deps.secrets.get(tokenSecret);
        await this.deps.hosts[repository.provider].setStatus({ repository, token, status, signal: AbortSignal.timeout(timeoutMs) });
      })();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the git host did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([call, timeout]);
      return true;
    } catch (error) {
      this.deps.onError(repositoryName, status, error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
