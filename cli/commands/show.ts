import type { Command } from 'commander';
import { readAnswer, Release } from '../api-types';
import { parseNonBlank } from '../arguments';
import { examples, printJson, renderOptionsFor, type CommandContext } from '../context';
import { renderRelease } from '../render/release';

export function registerShow(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description('one release and every state it went through')
    .argument('<release-id>', 'as printed by cot release, cot rollback, cot history or cot status', parseNonBlank)
    .option('--json', 'print the API answer (GET /api/releases/{id}) as is')
    .addHelpText('after', examples('cot show 01J9Z3V6Q8M4K2T7R5N0B1C3D4'))
    .action(async (releaseId: string, options: { json?: boolean }, command: Command) => {
      const answer = await (await ctx.client(command)).getRelease(releaseId);
      if (options.json) return printJson(ctx.io.stdout, answer);
      const release = readAnswer(Release, answer, `GET /api/releases/${releaseId}`);
      ctx.io.stdout.write(renderRelease(release, renderOptionsFor(ctx.io.stdout, ctx.io)));
    });
}
