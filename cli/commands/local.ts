import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../core/config-file-name';
import { parseNonBlank, parsePort } from '../arguments';
import { examples, type CommandContext } from '../context';
import type { LocalOptions } from '../../local/run-local';

export function registerLocal(program: Command, ctx: CommandContext): void {
  program
    .command('local')
    .description('run the whole product on this machine (no AWS account): the API, workflows, builds, DynamoDB Local')
    .option('--port <n>', 'port on 127.0.0.1', parsePort, 3000)
    .option('--data <dir>', 'folder for the CMDB, repositories, artifacts and outbox', parseNonBlank, '.cot')
    .option('--config <file>', 'release configuration', parseNonBlank, DEFAULT_CONFIG_FILE)
    .addHelpText('after', examples('cot local', 'cot local --port 3100 --data /tmp/cot'))
    .action(async (_options: LocalOptions, command: Command) => {
      // `--config` is also a global option; commander hands it to the program whichever side it is on.
      const options = command.optsWithGlobals<LocalOptions>();
      // Loaded only here: local mode synthesizes the CDK stack, which the other commands never need.
      const { runLocal } = await import('../../local/run-local');
      ctx.setExitCode(await runLocal({ port: options.port, data: options.data, config: options.config }));
    });
}
