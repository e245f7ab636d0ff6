import type { Command } from 'commander';
import { parseName } from '../arguments';
import { examples, printJson, type CommandContext } from '../context';

export function registerResume(program: Command, ctx: CommandContext): void {
  program
    .command('resume')
    .description('lift the hold a rollback put on a continuous environment: new pushes deploy there again')
    .argument('<repo>', 'repository name', parseName)
    .argument('<env>', 'continuous environment name', parseName)
    .option('--json', 'print the API answer as is')
    .addHelpText('after', examples('cot resume sample-service integration'))
    .action(async (repository: string, environment: string, options: { json?: boolean }, command: Command) => {
      const answer = await (await ctx.client(command)).resume({ repository, environment });
      if (options.json) return printJson(ctx.io.stdout, answer);
      ctx.io.stdout.write(`${repository} in ${environment} is no longer held: the next push deploys there.\n`);
    });
}
