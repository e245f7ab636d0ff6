import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { newReleaseId } from '../../core/ids';
import { eventually } from './eventually';
import type { ContinuousInput } from '../../core/ports';
import { LocalWiring, type LocalWiringOptions } from '../../local/local-wiring';
import { releaseTemplate } from './release-template';
import { whenDone } from './when-done';

/** The developer Dev, with no signing and none of the machine's own hooks. */
const GIT_IDENTITY = ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null'];

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...GIT_IDENTITY, ...args], { cwd, encoding: 'utf8' }).trim();
}

/**
 * Git commands one after another in one shell (`g` is git as the developer Dev), stopping at the first
 * that fails; answers what they printed, line by line. One process started from the test process, which
 * is large (starting a process from it costs milliseconds of its CPU), instead of one per command.
 */
function gitSteps(cwd: string, script: string, ...args: string[]): string[] {
  const identity = GIT_IDENTITY.map((part) => `'${part}'`).join(' ');
  return execFileSync('sh', ['-c', `set -e\ng() { git ${identity} "$@"; }\n${script}`, 'sh', ...args], { cwd, encoding: 'utf8' }).trim().split('\n');
}

/** Makes `repo` (the files already in it) a git repository of one commit on `main`. */
export function initRepository(repo: string): void {
  gitSteps(repo, 'g init --quiet --initial-branch=main\ng add --all\ng commit --quiet -m "Initial commit"');
}

/**
 * Commits in a repository of `release` (adding or removing files: `null` removes one) and records the push
 * as its webhook would: what the branch pointed at before, and a push time that grows with `sequence`
 * (distinct even within one millisecond). Answers the continuous workflow's input for it.
 */
export async function commitAndRecordPush(release: LocalWiring, repository: string, message: string, files: Record<string, string | null>, sequence: number): Promise<ContinuousInput> {
  const repo = release.repositoryDir(repository);
  for (const [file, content] of Object.entries(files)) {
    if (content === null) rmSync(join(repo, file), { force: true });
    else writeFileSync(join(repo, file), content);
  }
  const [before, commit] = gitSteps(repo, 'g rev-parse HEAD\ng add --all\ng commit --quiet --allow-empty -m "$1"\ng rev-parse HEAD', message);
  const sha = /^[0-9a-f]{40}$/;
  if (!before || !commit || !sha.test(before) || !sha.test(commit)) throw new Error(`git did not tell the commits of "${message}" in ${repo}`);
  const pushedAt = new Date(Date.now() + sequence).toISOString();
  await release.stores.pushes.recordPush({ repository, branch: 'main', commit, message, author: 'Dev <dev@example.com>', pushedAt, hostPushedAt: pushedAt, before });
  return { repository, environment: 'integration', branch: 'main', commit, message, author: 'Dev <dev@example.com>', requestedBy: `push:test:${sequence}` };
}

/**
 * What local mode stops when it stops (local/run-local.ts), for a harness at the end of its file: test
 * files share processes (vitest.config.mts), so nothing one file started may run on into the next.
 */
export async function closeHarness(release: LocalWiring): Promise<void> {
  for (const workflow of ['continuous', 'promotion'] as const) for (const execution of release.workflows.executions(workflow)) if (execution.status === 'RUNNING') execution.abort();
  release.reminderTimers.stop();
  // Their emails and notices go to the data folder, which the harness removes next.
  await release.reminderTimers.sent();
  await release.buildRunner.close();
  await release.noticesWritten();
}

/**
 * The product wired as local mode wires it, on a temp data folder with its own CMDB table in the run's
 * DynamoDB Local, and the sample service as a real git repository.
 */
export async function localHarness(options: Partial<LocalWiringOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cot-local-'));
  const config = options.config ?? loadConfig('release.config.yaml');
  const release = await LocalWiring.create({
    config,
    dataDir,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `cmdb-${randomUUID()}`,
    retryIntervalOverrides: { Claim: 200 },
    template: await releaseTemplate(config),
    ...options,
  });
  // Closed, then its folder removed, when the test or file that made it ends.
  whenDone(async () => {
    await closeHarness(release);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const repo = release.repositoryDir('sample-service');
  cpSync('examples/sample-service', repo, { recursive: true, filter: (source) => !source.includes('node_modules') && !source.endsWith('/dist') });
  initRepository(repo);

  let pushes = 0;
  /** Commits (optionally adding or removing files) and records the push as the webhook would. */
  const push = (message: string, files: Record<string, string | null> = {}): Promise<ContinuousInput> => commitAndRecordPush(release, 'sample-service', message, files, (pushes += 1));

  /** Starts the continuous workflow for a push and waits for its end. */
  async function runContinuous(input: ContinuousInput) {
    const { executionId } = await release.workflows.startContinuous(input, `push-${input.commit}`);
    const execution = release.workflows.execution('continuous', executionId);
    if (!execution) throw new Error('execution not found');
    return execution.result;
  }

  /** Prepares a release (or rollback) as the operator API does, and starts its promotion workflow. */
  async function prepare(environment: string, commit: string, kind: 'release' | 'rollback' = 'release', requestedBy = 'alice') {
    const releaseId = newReleaseId();
    const board = await release.stores.releases.boardCell('sample-service', environment);
    await release.stores.releases.createRelease({
      releaseId,
      repository: 'sample-service',
      environment,
      commit,
      kind,
      requestedBy,
      createdAt: new Date().toISOString(),
      ...(kind === 'rollback' && board?.deployedReleaseId ? { rollbackOf: board.deployedReleaseId } : {}),
    });
    await release.approvals.supersedeWaiting('sample-service', environment, releaseId);
    const { executionId } = await release.workflows.startPromotion({ releaseId, repository: 'sample-service', environment, commit, kind, requestedBy }, releaseId);
    const execution = release.workflows.execution('promotion', executionId);
    if (!execution) throw new Error('execution not found');
    return { releaseId, result: execution.result };
  }

  /** Waits for the pending approval of a release at a gate. */
  async function pendingApproval(releaseId: string, gate: 'approve_deploy' | 'accept') {
    return eventually(async () => (await release.stores.releases.board()).pendingApprovals.find((approval) => approval.releaseId === releaseId && approval.gate === gate), {
      what: `the ${gate} approval of ${releaseId}`,
      timeoutMs: 30_000,
    });
  }

  /** An operator decides, as `cot approve` / `cot reject` do. */
  async function decide(approvalId: string, decision: 'approve' | 'reject', by = 'qa@example.com', comment?: string) {
    return release.approvals.decide({ approvalId, decision, by, via: 'api', ...(comment ? { comment } : {}) });
  }

  return { release, dataDir, repo, push, runContinuous, prepare, pendingApproval, decide };
}
