import { Command, CommanderError } from 'commander';

/** Exit codes scripts can trust: 0 done, 1 the release failed or was rejected, 2 usage or input error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('cot')
    .description('codeontap-release: continuous deployment, approved promotion and rollback')
    .exitOverride();
  program
    .command('local')
    .description('run the whole product on this machine (no AWS account)')
    .action(() => {
      process.stderr.write('Local mode is not built yet: it is the next open issue. `npm test` shows what works today.\n');
      process.exitCode = EXIT.failed;
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
}
