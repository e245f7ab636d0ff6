import { Command, CommanderError, Option } from 'commander';
import { registerApprovals } from './commands/approvals';
import { registerApprove } from './commands/approve';
import { registerDoctor } from './commands/doctor';
import { registerHistory } from './commands/history';
import { registerLocal } from './commands/local';
import { registerPromote } from './commands/promote';
import { registerMetrics } from './commands/metrics';
import { registerReject } from './commands/reject';
import { registerRelease } from './commands/release';
import { registerResume } from './commands/resume';
import { registerRollback } from './commands/rollback';
import { registerShow } from './commands/show';
import { registerStatus } from './commands/status';
import { createContext, examples, type CommandContext } from './context';
import { DEFAULT_ENDPOINT } from './endpoint';
import { CliError, EXIT } from './exit-codes';
import { processIo, type CliIo } from './io';

export { EXIT } from './exit-codes';

const GLOBAL_HELP = `
Exit codes:
  0  done (with --wait: the release was accepted)
  1  the release failed, was rejected, expired or was superseded; --wait timed out;
     the API could not be reached or answered 5xx; a check of cot doctor failed
  2  usage or input error: a bad command, argument or option; the API refused the request
     (4xx: unknown release, ref not accepted in the environment below, conflict);
     an unreadable config, unknown stack or missing AWS credentials

Environment:
  COT_ENDPOINT  the API when --endpoint is not given ("aws": the stack output)
  NO_COLOR      no colours and no spinner, even on a terminal
  AWS_*         credentials and region for signing requests to API Gateway
${examples('cot doctor', 'cot status', 'cot release sample-service preproduction 4f9c2e1 --wait', 'cot --endpoint aws approvals', 'cot --stack sample-service-release history sample-service production')}`;

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('cot')
    .description('codeontap-release: continuous deployment, approved promotion and rollback')
    // Set before the subcommands are added: they copy both settings from their parent.
    .exitOverride()
    .configureOutput({ writeOut: (text) => ctx.io.stdout.write(text), writeErr: (text) => ctx.io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .addOption(new Option('--endpoint <url>', `API URL, or "aws" for the ApiUrl output of the stack (default: $COT_ENDPOINT or ${DEFAULT_ENDPOINT})`))
    .addOption(new Option('--stack <name>', 'read the API URL from this CloudFormation stack (default with --endpoint aws: <product>-release)'))
    .addOption(new Option('--config <file>', 'release configuration, for the default stack name').default(undefined, 'release.config.yaml'))
    .addHelpText('after', GLOBAL_HELP);

  registerStatus(program, ctx);
  registerApprovals(program, ctx);
  registerHistory(program, ctx);
  registerShow(program, ctx);
  registerRelease(program, ctx);
  registerRollback(program, ctx);
  registerPromote(program, ctx);
  registerApprove(program, ctx);
  registerReject(program, ctx);
  registerResume(program, ctx);
  registerMetrics(program, ctx);
  registerLocal(program, ctx);
  registerDoctor(program, ctx);
  return program;
}

/**
 * Runs `cot` with a process-style argv (`[node, script, ...args]`) and returns the exit code; never
 * calls `process.exit`, so tests run it in-process with their own `io`.
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const ctx = createContext({ ...processIo(), ...io });
  try {
    await buildProgram(ctx).parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help) through configureOutput.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      ctx.io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    // A bug of cot itself: the stack is what a bug report needs.
    ctx.io.stderr.write(`cot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  }
}
