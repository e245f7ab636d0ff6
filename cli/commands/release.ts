import type { Command } from 'commander';
import { parseName, parseNonBlank, parseTimeout } from '../arguments';
import { examples, type CommandContext } from '../context';
import { reportStarted, type FollowOptions } from '../follow-release';

export function registerRelease(program: Command, ctx: CommandContext): void {
  program
    .command('release')
    .description('prepare a release: put a commit accepted in the environment below into <env>')
    .argument('<repo>', 'repository name', parseName)
    .argument('<env>', 'approval environment to release into', parseName)
    .argument('<ref>', 'commit SHA, short SHA or tag', parseNonBlank)
    .option('--wait', 'follow the release until it is accepted (exit 0) or fails, is rejected or expires (exit 1)')
    .option('--timeout <duration>', 'with --wait: give up after this long (90s, 30m, 12h, 3d), exit 1', parseTimeout)
    .option('--override <why>', 'release although the environment is frozen; the reason is recorded on the release', parseNonBlank)
    .option('--json', 'print the API answer: {releaseId}, or with --wait the final release')
    .addHelpText(
      'after',
      examples('cot release sample-service preproduction 4f9c2e1', 'cot release sample-service production v1.4.0 --wait --timeout 2h', 'cot release sample-service production v1.4.1 --override "fix for INC-42"'),
    )
    .action(async (repository: string, environment: string, ref: string, options: FollowOptions & { override?: string }, command: Command) => {
      const client = await ctx.client(command);
      const answer = await client.createRelease({ repository, environment, ref, ...(options.override === undefined ? {} : { override: options.override }) });
      await reportStarted(ctx, client, answer, `Release of ${repository} ${ref} to ${environment} prepared`, options);
    });
}
