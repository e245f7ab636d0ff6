import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../core/config-file-name';
import { examples, printJson, renderOptionsFor, type CommandContext } from '../context';
import { exitCodeOf } from '../doctor/check';
import type { DoctorDeps, DoctorRequest } from '../doctor/run-doctor';
import { resolveEndpoint, type GlobalOptions } from '../endpoint';
import type { CliIo } from '../io';
import { renderChecks } from '../render/doctor';

export function registerDoctor(program: Command, ctx: CommandContext, deps?: DoctorDeps): void {
  program
    .command('doctor')
    .description('check what local mode (default) or a deploy to an AWS account (--endpoint aws) needs: one line per check, with the fix')
    .option('--json', 'print the checks as JSON: [{id, status, title, detail?, fix?}]')
    .addHelpText(
      'after',
      `
Exit code 0 when no check failed (warnings allowed), 1 when one did.
With --endpoint aws (or --stack): credentials, region, CDK bootstrap, SES identity and sandbox,
connections, the deployed stack and its webhook secrets, with your default AWS credentials.
${examples('cot doctor', 'cot doctor --endpoint aws', 'cot doctor --endpoint aws --config other.yaml --json | jq -r \'.[] | select(.status != "ok") | .fix\'')}`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const request = await doctorRequest(command.optsWithGlobals<GlobalOptions>(), ctx.io);
      // Loaded here: the checks import the SDK clients' commands and the config loader, which every other
      // command starts without.
      const { runDoctor } = await import('../doctor/run-doctor');
      const results = await runDoctor(request, deps ?? (await processDeps(ctx.io)));
      if (options.json) printJson(ctx.io.stdout, results);
      else ctx.io.stdout.write(renderChecks(results, renderOptionsFor(ctx.io.stdout, ctx.io)));
      ctx.setExitCode(exitCodeOf(results));
    });
}

/** The same reading of the global options as every other command; only the URL is validated here. */
async function doctorRequest(options: GlobalOptions, io: CliIo): Promise<DoctorRequest> {
  const configFile = options.config ?? DEFAULT_CONFIG_FILE;
  const endpoint = options.endpoint ?? io.env.COT_ENDPOINT;
  if (endpoint === 'aws' || options.stack !== undefined) return { target: 'aws', configFile, ...(options.stack !== undefined ? { stackName: options.stack } : {}) };
  return { target: 'local', configFile, endpoint: await resolveEndpoint(options, io) };
}

async function processDeps(io: CliIo): Promise<DoctorDeps> {
  const { processProbes } = await import('../doctor/local-checks');
  return {
    probes: processProbes(io.fetch),
    // Loaded on first use, like the stack outputs: the AWS SDK is slow to import and local mode never needs it.
    awsClients: async () => (await import('../doctor/aws-clients')).createAwsClients(),
  };
}
