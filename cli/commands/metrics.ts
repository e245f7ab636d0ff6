import type { Command } from 'commander';
import { Metrics, readAnswer } from '../api-types';
import { parseName, parsePositiveInteger } from '../arguments';
import { examples, printJson, type CommandContext } from '../context';
import { renderMetrics } from '../render/metrics';

interface MetricsOptions {
  json?: boolean;
  environment?: string;
  days?: number;
}

export function registerMetrics(program: Command, ctx: CommandContext): void {
  program
    .command('metrics')
    .description('delivery metrics of an environment: deployment frequency, lead time, change failure rate, time to restore')
    .option('--environment <env>', 'environment to measure (default: the last of the chain)', parseName)
    .option('--days <n>', 'how many days back to look, 1 to 365 (default 30)', parsePositiveInteger)
    .option('--json', 'print the API answer (GET /api/metrics) as is')
    .addHelpText('after', examples('cot metrics', 'cot metrics --environment preproduction --days 90', 'cot metrics --json'))
    .action(async (options: MetricsOptions, command: Command) => {
      const client = await ctx.client(command);
      const answer = await client.getMetrics({ environment: options.environment, days: options.days });
      if (options.json) return printJson(ctx.io.stdout, answer);
      ctx.io.stdout.write(renderMetrics(readAnswer(Metrics, answer, 'GET /api/metrics')));
    });
}
