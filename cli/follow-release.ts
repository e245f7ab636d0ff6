import type { ApiClient } from './api-client';
import { readAnswer, Started, type Release } from './api-types';
import { printJson, type CommandContext } from './context';
import { colorEnabled } from './io';
import { createProgress } from './progress';
import { styleFor, styleState } from './render/style';
import { shortSha } from './render/time';
import { waitForRelease } from './wait-for-release';

export interface FollowOptions {
  readonly wait?: boolean;
  readonly json?: boolean;
  /** Milliseconds; no limit when absent (an approval may take days). */
  readonly timeout?: number;
}

/**
 * What `release` and `rollback` do with the 202 `{releaseId}`: print it, or with `--wait` follow the
 * release to its end and exit 0 (accepted) or 1 (failed, rejected, expired...). With `--json`, stdout
 * holds only JSON (the 202 answer, or the final release) and the progress goes to stderr.
 */
export async function reportStarted(ctx: CommandContext, client: ApiClient, answer: unknown, started: string, options: FollowOptions): Promise<void> {
  const { io } = ctx;
  const { releaseId } = readAnswer(Started, answer, started);
  if (!options.wait) {
    if (options.json) return printJson(io.stdout, answer);
    io.stdout.write(`${started}: ${releaseId}\nFollow it: cot show ${releaseId}  (or start it with --wait)\n`);
    return;
  }
  const output = options.json ? io.stderr : io.stdout;
  const color = colorEnabled(output, io.env);
  output.write(`${started}: ${releaseId}\n`);
  const progress = createProgress(output, color);
  try {
    const outcome = await waitForRelease(client, releaseId, io, progress, { timeoutMs: options.timeout, color, timeZone: io.timeZone });
    progress.stop();
    output.write(summarize(outcome.release, color));
    if (options.json) printJson(io.stdout, outcome.answer);
    ctx.setExitCode(outcome.exitCode);
  } finally {
    progress.stop();
  }
}

function summarize(release: Release, color: boolean): string {
  const style = styleFor(color);
  const subject = release.members
    ? release.members.map((member) => `${member.repository} ${shortSha(member.commit)}${member.state ? ` (${member.state.replaceAll('_', ' ')})` : ''}`).join(', ')
    : `${release.repository} ${shortSha(release.commit)}`;
  const what = `${release.members ? 'Promotion' : 'Release'} ${release.releaseId} ${styleState(release.state, style)}: ${subject} in ${release.environment}`;
  if (release.state === 'accepted') return `${what}.\n`;
  const reason = release.failure ? `\n  ${release.failure.step ? `${release.failure.step}: ` : ''}${release.failure.message}` : '';
  return `${what}.${reason}\nDetails: cot show ${release.releaseId}\n`;
}
