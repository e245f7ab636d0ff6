import type { Command } from 'commander';
import { parseName, parseNameList, parseNonBlank, parseTimeout } from '../arguments';
import { examples, type CommandContext } from '../context';
import { reportStarted, type FollowOptions } from '../follow-release';

export function registerPromote(program: Command, ctx: CommandContext): void {
  program
    .command('promote')
    .description('promote the product: every repository\'s commit accepted in the environment below goes into <env> together, with one approval')
    .argument('<env>', 'approval environment to promote into', parseName)
    .option('--only <repositories>', 'promote only these repositories (comma-separated)', parseNameList)
    .option('--wait', 'follow the promotion until it is accepted (exit 0) or fails, is rejected or expires (exit 1)')
    .option('--timeout <duration>', 'with --wait: give up after this long (90s, 30m, 12h, 3d), exit 1', parseTimeout)
    .option('--override <why>', 'promote although the environment is frozen; the reason is recorded on the promotion and its members', parseNonBlank)
    .option('--json', 'print the API answer: {releaseId, members}, or with --wait the final promotion')
    .addHelpText(
      'after',
      `${examples('cot promote preproduction', 'cot promote production --only api,web --wait', 'cot promote production --override "fix for INC-42"')}
Repositories that already run what is accepted below are left out; deploys follow deployAfter.
`,
    )
    .action(async (environment: string, options: FollowOptions & { only?: string[]; override?: string }, command: Command) => {
      const client = await ctx.client(command);
      const answer = await client.createPromotion({ environment, ...(options.only ? { repositories: options.only } : {}), ...(options.override === undefined ? {} : { override: options.override }) });
      const members = Array.isArray((answer as { members?: unknown }).members) ? (answer as { members: Array<{ repository: string; commit: string }> }).members : [];
      const list = members.map((member) => `${member.repository} ${member.commit.slice(0, 7)}`).join(', ');
      await reportStarted(ctx, client, answer, `Promotion to ${environment} of ${list || 'the product'} prepared`, options);
    });
}
