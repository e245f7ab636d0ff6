import type { Command } from 'commander';
import { HistoryPage, readAnswer } from '../api-types';
import { parseName, parseNonBlank, parsePositiveInteger } from '../arguments';
import { examples, printJson, renderOptionsFor, type CommandContext } from '../context';
import { renderHistory } from '../render/history';

interface HistoryOptions {
  json?: boolean;
  limit?: number;
  cursor?: string;
}

export function registerHistory(program: Command, ctx: CommandContext): void {
  program
    .command('history')
    .description('the deployments of a repository in an environment, newest first')
    .argument('<repo>', 'repository name', parseName)
    .argument('<env>', 'environment name', parseName)
    .option('--limit <n>', 'deployments per page', parsePositiveInteger)
    .option('--cursor <cursor>', 'the page after the one that printed "more: --cursor ..."', parseNonBlank)
    .option('--json', 'print the API answer (GET /api/history/{repo}/{env}) as is')
    .addHelpText('after', examples('cot history sample-service production', 'cot history sample-service integration --limit 5'))
    .action(async (repository: string, environment: string, options: HistoryOptions, command: Command) => {
      const client = await ctx.client(command);
      const answer = await client.getHistory(repository, environment, { limit: options.limit, cursor: options.cursor });
      if (options.json) return printJson(ctx.io.stdout, answer);
      const page = readAnswer(HistoryPage, answer, `GET /api/history/${repository}/${environment}`);
      ctx.io.stdout.write(renderHistory(page, renderOptionsFor(ctx.io.stdout, ctx.io)));
    });
}
