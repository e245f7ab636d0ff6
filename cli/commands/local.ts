import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../core/config-file';
import { parseNonBlank, parsePort } from '../arguments';
import { examples, type CommandContext } from '../context';
import { CliError, EXIT } from '../exit-codes';

export interface LocalOptions {
  readonly port: number;
  readonly data: string;
  readonly config: string;
}

/**
 * Local mode lives in `local/run-local.ts`, built separately. It is imported by a computed specifier so
 * that this CLI type-checks and runs in a build without it; the contract is
 * `runLocal(options: LocalOptions): Promise<void | number>`, settling when local mode stops.
 */
const RUN_LOCAL = '../../local/run-local';

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
      const runLocal = await loadRunLocal();
      const result = await runLocal({ port: options.port, data: options.data, config: options.config });
      if (typeof result === 'number') ctx.setExitCode(result);
    });
}

type RunLocal = (options: LocalOptions) => Promise<void | number>;

async function loadRunLocal(): Promise<RunLocal> {
  let module: { runLocal?: unknown };
  try {
    module = (await import(/* @vite-ignore */ RUN_LOCAL)) as { runLocal?: unknown };
  } catch (error) {
    if (isRunLocalMissing(error)) throw new CliError('local mode is not available in this build', EXIT.failed, { cause: error });
    throw error;
  }
  if (typeof module.runLocal !== 'function') throw new CliError('local mode is not available in this build', EXIT.failed);
  return module.runLocal as RunLocal;
}

/** Only the module itself missing; an error inside local mode (a missing dependency of it) must show as is. */
function isRunLocalMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const missing = /Cannot find module '([^']+)'|Failed to load url (\S+)/.exec(error.message);
  const specifier = missing?.[1] ?? missing?.[2];
  return specifier !== undefined && /run-local(\.[cm]?[jt]s)?$/.test(specifier);
}
