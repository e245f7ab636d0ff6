import type { Command } from 'commander';
import { parseName, parseNonBlank, parseTimeout } from '../arguments';
import { examples, type CommandContext } from '../context';
import { usageError } from '../exit-codes';
import { reportStarted, type FollowOptions } from '../follow-release';

export function registerRollback(program: Command, ctx: CommandContext): void {
  program
    .command('rollback')
    .description('redeploy the commit accepted in <env> before the current one (or --to an earlier accepted commit)')
    .argument('<repo>', 'repository name (with --product: the environment)', parseName)
    .argument('[env]', 'environment name', parseName)
    .option('--to <commit>', 'an earlier commit accepted in <env>', parseNonBlank)
    .option('--product', 'cot rollback <env> --product: undo the last promotion of <env>, every member back to the set accepted before it')
    .option('--wait', 'follow the rollback until it is accepted (exit 0) or fails (exit 1)')
    .option('--timeout <duration>', 'with --wait: give up after this long (90s, 30m, 12h, 3d), exit 1', parseTimeout)
    .option('--json', 'print the API answer: {releaseId}, or with --wait the final release')
    .addHelpText(
      'after',
      `${examples('cot rollback sample-service production --wait', 'cot rollback sample-service integration --to 4f9c2e1', 'cot rollback production --product --wait')}
A rolled-back continuous environment is held (pushes are built, not deployed) until cot resume.
`,
    )
    .action(async (repository: string, environment: string | undefined, options: FollowOptions & { to?: string; product?: boolean }, command: Command) => {
      const client = await ctx.client(command);
      if (options.product) {
        if (environment !== undefined || options.to) throw usageError('with --product: cot rollback <env> --product (no repository, no --to)');
        const answer = await client.createRollback({ environment: repository });
        await reportStarted(ctx, client, answer, `Rollback of the last promotion in ${repository} started`, options);
        return;
      }
      if (environment === undefined) throw usageError('missing argument <env>: cot rollback <repo> <env> (or cot rollback <env> --product)');
      const answer = await client.createRollback({ repository, environment, ...(options.to ? { to: options.to } : {}) });
      const target = options.to ? ` to ${options.to}` : '';
      await reportStarted(ctx, client, answer, `Rollback of ${repository} in ${environment}${target} started`, options);
    });
}
