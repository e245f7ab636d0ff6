import { builtVersion, type ArtifactListing, type BuildTimes } from './artifact-version';
import { isTerminal } from './release-lifecycle';
import type { Failure, FailedStep } from './cmdb';
import type { LeaseStore, PushStore, ReleaseStore } from './cmdb-stores';
import type { Clock, CommitStatusPublisher, CommitStatusUpdate } from './ports';
import { ConflictError } from './errors';
import { newReleaseId, releaseIdFor } from './ids';
import type { CaughtError, ContinuousInput } from './workflow-contracts';
import { describeFailure } from './workflow-failure';
import { CLAIM_OUTCOMES, type ClaimOutcome } from './workflow-names';

/** A deploy lease outlives the longest deploy + test; a crashed holder frees it after this. */
export const DEFAULT_LEASE_SECONDS = 3 * 3600;

export interface ContinuousStepsDeps {
  readonly releases: ReleaseStore;
  readonly pushes: PushStore;
  readonly leases: LeaseStore;
  readonly clock: Clock;
  readonly leaseSeconds?: number;
  /** `cot/<environment>` on the commit at its git host (docs/operations.md#commit-statuses). @default none */
  readonly statuses?: CommitStatusPublisher;
}

interface RunRef {
  readonly releaseId: string;
}

/**
 * The CMDB side of the continuous deployment workflow, one method per Task. The state machine holds the
 * order (build, claim, deploy, test, accept); these keep the rules:
 * - only the newest pushed commit of the branch is deployed: an older one ends `superseded`;
 * - one deploy at a time per repository and environment (the lease, held from claim to accept or fail);
 * - a held environment builds and records, but does not deploy.
 */
export class ContinuousSteps {
  constructor(private readonly deps: ContinuousStepsDeps) {}

  private get now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** Records the run; given its execution, a retried first step finds the release it already made. */
  async begin(input: ContinuousInput, execution?: { name: string; startTime: string }): Promise<RunRef & { superseded?: true }> {
    const { releases } = this.deps;
    const releaseId = execution ? releaseIdFor(new Date(execution.startTime), execution.name) : newReleaseId(this.deps.clock.now());
    try {
      await releases.createRelease({
        releaseId,
        repository: input.repository,
        environment: input.environment,
        commit: input.commit,
        kind: 'deploy',
        requestedBy: input.requestedBy,
        createdAt: this.now,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    const release = await releases.getRelease(releaseId);
    if (release?.state === 'prepared') {
      // The webhook recorded the push; its run moves the head (forward only, docs/architecture.md#commit-order).
      await this.deps.pushes.advanceHead(input.repository, input.branch, input.commit);
      // A push that is not the branch's head (a late delivery of an older push, or one a newer push of
      // a burst already passed) is recorded and never built or deployed.
      const newer = await this.supersededBy(input);
      if (newer) {
        await releases.transitionRelease(releaseId, 'superseded', { by: 'system', at: this.now, detail: supersededDetail(input.branch, newer) });
        return { releaseId, superseded: true };
      }
      await releases.transitionRelease(releaseId, 'building', { by: 'codebuild', at: this.now, detail: `build of ${input.branch}` });
    }
    return { releaseId, ...(release?.state === 'superseded' ? { superseded: true } : {}) };
  }

  /**
   * After the build: records which S3 object version of the artifact (`key`) this run's build stored, so
   * that this run and every later promotion or rollback of it deploy exactly that version, whatever later
   * builds of the same commit write to the key (docs/deploy-to-aws.md#artifact-versions).
   */
  async built(input: RunRef & { key: string; build: BuildTimes; versions: ArtifactListing }): Promise<{ version: string }> {
    const version = builtVersion(input.versions, input.key, input.build);
    await this.deps.releases.recordArtifact(input.releaseId, version);
    return { version };
  }

  /**
   * After the build: stop if a newer commit was pushed, else take the deploy lease (throws
   * `LeaseBusyError` while another run holds it: the workflow retries), then check again, since a newer
   * push may have arrived while waiting.
   */
  async claim(input: ContinuousInput & RunRef): Promise<{ outcome: ClaimOutcome }> {
    const { releases, leases } = this.deps;
    if (await this.supersededBy(input)) return this.supersede(input);
    await leases.acquireLease(input.repository, input.environment, input.releaseId, this.deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS, this.deps.clock.now());
    if (await this.supersededBy(input)) {
      await leases.releaseLease(input.repository, input.environment, input.releaseId);
      return this.supersede(input);
    }
    const cell = await releases.boardCell(input.repository, input.environment);
    if (cell?.held) {
      await leases.releaseLease(input.repository, input.environment, input.releaseId);
      await releases.transitionRelease(input.releaseId, 'built', { by: 'system', at: this.now, detail: `built, not deployed: ${input.environment} is held` });
      return { outcome: CLAIM_OUTCOMES.held };
    }
    await releases.transitionRelease(input.releaseId, 'deploying', { by: 'codebuild', at: this.now });
    await this.status(input, 'pending', 'deploying');
    return { outcome: CLAIM_OUTCOMES.deploy };
  }

  async deployed(input: RunRef): Promise<void> {
    await this.deps.releases.recordDeployment(input.releaseId, { by: 'codebuild', at: this.now });
  }

  async accept(input: ContinuousInput & RunRef): Promise<void> {
    await this.deps.releases.markAccepted(input.releaseId, { by: 'codebuild', at: this.now, detail: 'tests passed' });
    await this.deps.leases.releaseLease(input.repository, input.environment, input.releaseId);
    await this.status(input, 'success', 'deployed and tested');
  }

  /** Any failure: recorded with its step, the lease given back (if held), the release ended as failed. */
  async fail(input: ContinuousInput & Partial<RunRef> & { step: FailedStep; error: CaughtError }): Promise<Failure> {
    const failure = describeFailure(input.step, input.error);
    if (!input.releaseId) return failure;
    await this.deps.leases.releaseLease(input.repository, input.environment, input.releaseId);
    const release = await this.deps.releases.getRelease(input.releaseId);
    // A release that already ended (superseded meanwhile, or failed by an earlier try) keeps its end.
    if (release && !isTerminal(release.state)) {
      await this.deps.releases.transitionRelease(input.releaseId, 'failed', { by: 'system', at: this.now, failure });
      await this.status({ ...input, releaseId: input.releaseId }, 'failure', `${input.step} failed`);
    }
    return failure;
  }

  private async status(run: ContinuousInput & RunRef, state: CommitStatusUpdate['state'], description: string): Promise<void> {
    await this.deps.statuses?.publish({ repository: run.repository, releaseId: run.releaseId, commit: run.commit, environment: run.environment, state, description });
  }

  private async supersededBy(input: ContinuousInput): Promise<string | undefined> {
    const head = await this.deps.pushes.branchHead(input.repository, input.branch);
    return head && head.commit !== input.commit ? head.commit : undefined;
  }

  private async supersede(input: ContinuousInput & RunRef): Promise<{ outcome: ClaimOutcome }> {
    const newer = await this.supersededBy(input);
    await this.deps.releases.transitionRelease(input.releaseId, 'superseded', {
      by: 'system',
      at: this.now,
      detail: supersededDetail(input.branch, newer),
    });
    return { outcome: CLAIM_OUTCOMES.superseded };
  }
}

function supersededDetail(branch: string, newer: string | undefined): string {
  return `a newer commit of ${branch} was pushed${newer ? `: ${newer.slice(0, 12)}` : ''}`;
}
