import type { Command } from 'commander';
import { readAnswer, Status } from '../api-types';
import { examples, printJson, renderOptionsFor, type CommandContext } from '../context';
import { withMemberCounts } from '../product-approvals';
import { renderApprovals } from '../render/approvals';

export function registerApprovals(program: Command, ctx: CommandContext): void {
  program
    .command('approvals')
    .description('the approvals waiting for a person (the pending part of the board)')
    .option('--json', 'print the pendingApprovals array of GET /api/status as is')
    .addHelpText('after', examples('cot approvals', 'cot approvals --json | jq -r \'.[].id\''))
    .action(async (options: { json?: boolean }, command: Command) => {
      const client = await ctx.client(command);
      const answer = await client.getStatus();
      const status = readAnswer(Status, answer, 'GET /api/status');
      if (options.json) {
        // The API's own objects, not the parsed ones, so fields this cot does not know stay.
        return printJson(ctx.io.stdout, (answer as { pendingApprovals?: unknown }).pendingApprovals ?? []);
      }
      ctx.io.stdout.write(renderApprovals(await withMemberCounts(client, status.pendingApprovals), renderOptionsFor(ctx.io.stdout, ctx.io)));
    });
}
