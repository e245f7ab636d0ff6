import type { Command } from 'commander';
import { parseNonBlank } from '../arguments';
import { examples, type CommandContext } from '../context';
import { decide } from '../decide';

export function registerApprove(program: Command, ctx: CommandContext): void {
  program
    .command('approve')
    .description('approve a pending approval (deploy gate or acceptance) as yourself')
    .argument('<approval-id>', 'as listed by cot approvals', parseNonBlank)
    .option('--comment <text>', 'recorded with the decision', parseNonBlank)
    .option('--json', 'print the API answer as is')
    .addHelpText('after', examples('cot approvals', 'cot approve 01J9Z4A2B3C4D5E6F7G8H9J0K1 --comment "smoke tests ok"'))
    .action(async (approvalId: string, options: { comment?: string; json?: boolean }, command: Command) => {
      await decide(ctx, command, approvalId, 'approve', options);
    });
}
