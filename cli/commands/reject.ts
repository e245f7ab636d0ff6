import type { Command } from 'commander';
import { parseNonBlank } from '../arguments';
import { examples, type CommandContext } from '../context';
import { decide } from '../decide';

export function registerReject(program: Command, ctx: CommandContext): void {
  program
    .command('reject')
    .description('reject a pending approval; the release stops (and rolls back where autoRollback is on)')
    // A rejection without a reason helps nobody: the API refuses it too (see docs/architecture.md#approvals).
    .argument('<approval-id>', 'as listed by cot approvals', parseNonBlank)
    .requiredOption('--comment <text>', 'why: recorded with the decision and shown to the team', parseNonBlank)
    .option('--json', 'print the API answer as is')
    .addHelpText('after', examples('cot reject 01J9Z4A2B3C4D5E6F7G8H9J0K1 --comment "checkout page broken in preproduction"'))
    .action(async (approvalId: string, options: { comment: string; json?: boolean }, command: Command) => {
      await decide(ctx, command, approvalId, 'reject', options);
    });
}
