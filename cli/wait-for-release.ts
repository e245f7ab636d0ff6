import type { ApiClient } from './api-client';
import { readAnswer, Release, Status, type PendingApproval } from './api-types';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import type { CliIo } from './io';
import type { Progress } from './progress';
import { approvalSubject, PROMOTION_REPOSITORY } from './render/approvals';
import { renderStateLine } from './render/release';
import { styleFor } from './render/style';
import { formatAge, formatElapsed, shortSha } from './render/time';

export const POLL_INTERVAL_MS = 1000;

/** A person has to act before these move on. */
const WAITING_FOR_A_PERSON = new Set(['awaiting_approval', 'awaiting_acceptance']);
/** The ends of a release (core/release-lifecycle.ts); `built` only ends a continuous run of a held environment. */
const SUCCEEDED = new Set(['accepted', 'built']);
const FAILED = new Set(['failed', 'rejected', 'expired', 'superseded', 'rolled_back']);
/** Polls in a row that may fail (a network blip, a 5xx) before the wait gives up. */
const TOLERATED_POLL_FAILURES = 5;

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly color: boolean;
  readonly timeZone?: string;
}

/**
 * Follows a release until it ends: prints each new state as it happens, names the approvals a person
 * must decide while it waits for one, and answers 0 when it is accepted, 1 when it failed or a person
 * said no (or let it expire). Throws a `CliError` (exit 1) on timeout.
 */
export async function waitForRelease(client: ApiClient, releaseId: string, io: CliIo, progress: Progress, options: WaitOptions): Promise<{ release: Release; answer: unknown; exitCode: ExitCode }> {
  const style = styleFor(options.color);
  const started = io.now().getTime();
  let printed = 0;
  // The waiting state last announced, and the one whose approvals were listed.
  let told: string | undefined;
  let listed: string | undefined;
  let failures = 0;
  let current = 'prepared';
  progress.status(() => `${current.replaceAll('_', ' ')} ${style.dim(formatElapsed(io.now().getTime() - started))}`);

  for (;;) {
    let release: Release | undefined;
    let answer: unknown;
    try {
      answer = await client.getRelease(releaseId);
      release = readAnswer(Release, answer, `GET /api/releases/${releaseId}`);
      failures = 0;
    } catch (error) {
      // Input errors (404: the release vanished) will not pass; a blip of the network or of the API may.
      if (!(error instanceof CliError) || error.exitCode !== EXIT.failed || ++failures >= TOLERATED_POLL_FAILURES) throw error;
    }
    if (release) {
      current = release.state;
      for (const change of release.history.slice(printed)) progress.line(renderStateLine(change, options));
      printed = Math.max(printed, release.history.length);
      if (SUCCEEDED.has(release.state) || FAILED.has(release.state)) {
        progress.stop();
        return { release, answer, exitCode: SUCCEEDED.has(release.state) ? EXIT.ok : EXIT.failed };
      }
      if (WAITING_FOR_A_PERSON.has(release.state)) {
        if (told !== release.state) {
          told = release.state;
          progress.line(style.yellow(`waiting for a person to ${release.state === 'awaiting_approval' ? 'approve the deploy' : 'accept the release'}`));
        }
        // The approval may be recorded a moment after the state: look on each poll until it shows up.
        if (listed !== release.state) {
          const approvals = await pendingApprovalsOf(client, release);
          if (approvals.length > 0) listed = release.state;
          for (const approval of approvals) progress.line(describeApproval({ ...approval, ...(release.members ? { members: release.members.length } : {}) }, io.now()));
        }
      }
    }
    const elapsed = io.now().getTime() - started;
    if (options.timeoutMs !== undefined && elapsed >= options.timeoutMs) {
      progress.stop();
      throw new CliError(
        `gave up waiting after ${formatElapsed(elapsed)}: release ${releaseId} is still ${current} (cot show ${releaseId})`,
        EXIT.failed,
      );
    }
    await io.sleep(POLL_INTERVAL_MS);
  }
}

/** Pending approvals name their release when the API knows it; older answers only match on what they hold. */
async function pendingApprovalsOf(client: ApiClient, release: Release): Promise<PendingApproval[]> {
  let status: Status;
  try {
    status = readAnswer(Status, await client.getStatus(), 'GET /api/status');
  } catch {
    return []; // Only a hint: the wait itself goes on.
  }
  return status.pendingApprovals.filter((approval) =>
    approval.releaseId
      ? approval.releaseId === release.releaseId
      : approval.repository === release.repository && approval.environment === release.environment && approval.commit === release.commit,
  );
}

function describeApproval(approval: PendingApproval, now: Date): string {
  const expires = approval.expiresAt ? `, expires ${formatAge(approval.expiresAt, now)}` : '';
  const what = approval.repository === PROMOTION_REPOSITORY ? approvalSubject(approval) : shortSha(approval.commit);
  return `  ${approval.id} (${approval.gate} of ${what} in ${approval.environment}${expires}): cot approve ${approval.id}  or  cot reject ${approval.id} --comment <reason>`;
}
