import type { Command } from 'commander';
import { readAnswer, Status } from '../api-types';
import { examples, printJson, renderOptionsFor, type CommandContext } from '../context';
import { withMemberCounts } from '../product-approvals';
import { renderStatus } from '../render/status';

export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description('the board: what runs in each environment, and the approvals waiting for a person')
    .option('--json', 'print the API answer (GET /api/status) as is')
    .addHelpText('after', examples('cot status', 'cot status --json | jq \'.pendingApprovals\''))
    .action(async (options: { json?: boolean }, command: Command) => {
      const client = await ctx.client(command);
      const answer = await client.getStatus();
      if (options.json) return printJson(ctx.io.stdout, answer);
      const status = readAnswer(Status, answer, 'GET /api/status');
      const pendingApprovals = await withMemberCounts(client, status.pendingApprovals);
      ctx.io.stdout.write(renderStatus({ ...status, pendingApprovals }, renderOptionsFor(ctx.io.stdout, ctx.io)));
    });
}
