import type { ReleaseConfig } from '../../core/config';
import { runCheck, runChecks, type Check, type CheckResult } from './check';
import type { AwsClients } from './aws-clients';
import { bootstrapCheck, credentialsCheck, regionCheck } from './aws-account-checks';
import { sesIdentityCheck, sesSandboxCheck } from './aws-email-checks';
import { connectionArnOf, connectionCheck, releaseStackCheck, webhookSecretCheck } from './aws-stack-checks';
import { checkConfig, gitCheck, javaCheck, localEndpointCheck, nodeCheck, type LocalProbes } from './local-checks';

/** What to check, validated by the command. */
export type DoctorRequest =
  | { readonly target: 'local'; readonly configFile: string; readonly endpoint: URL }
  /** `stackName` when `--stack` is given; else `<product>-release` of the config. */
  | { readonly target: 'aws'; readonly configFile: string; readonly stackName?: string };

export interface DoctorDeps {
  readonly probes: LocalProbes;
  /** Made only for `--endpoint aws`; destroyed when the checks are done. */
  awsClients(): Promise<AwsClients & { destroy?(): void }>;
  readonly loadConfig?: (file: string) => ReleaseConfig;
  readonly timeoutMs?: number;
}

/** Local mode: what `npm start` needs, and whether it answers. */
async function localReadiness(request: Extract<DoctorRequest, { target: 'local' }>, deps: DoctorDeps): Promise<CheckResult[]> {
  const { probes, timeoutMs } = deps;
  const config = checkConfig(request.configFile, deps.loadConfig);
  const results = await runChecks([nodeCheck(probes), javaCheck(probes), gitCheck(probes), localEndpointCheck(probes, request.endpoint)], timeoutMs);
  results.splice(2, 0, config.result);
  return results;
}

/**
 * An account: what `cdk deploy` and the first release need. Nothing is asked of AWS without a region
 * and credentials (each call would fail the same way); nothing the config names is checked without it.
 */
async function awsReadiness(request: Extract<DoctorRequest, { target: 'aws' }>, deps: DoctorDeps): Promise<CheckResult[]> {
  const { timeoutMs } = deps;
  const results: CheckResult[] = [await runCheck(nodeCheck(deps.probes), timeoutMs)];
  const { result: configResult, config } = checkConfig(request.configFile, deps.loadConfig);
  results.push(configResult);

  const clients = await deps.awsClients();
  try {
    let region: string | undefined;
    results.push(await runCheck(regionCheck(() => clients.region(), (found) => (region = found)), timeoutMs));
    if (region === undefined) return results;
    const credentials = await runCheck(credentialsCheck(clients.sts), timeoutMs);
    results.push(credentials);
    if (credentials.status === 'fail') return results;

    const stackName = request.stackName ?? (config ? `${config.product}-release` : undefined);
    let outputs: Record<string, string> | undefined;
    const checks: Check[] = [bootstrapCheck(clients.cloudFormation, region)];
    if (config) {
      checks.push(sesIdentityCheck(clients.ses, config.notifications.from, region), sesSandboxCheck(clients.ses, config));
      for (const repository of config.repositories) {
        const arn = connectionArnOf(repository);
        if (arn !== undefined) checks.push(connectionCheck(clients.connections, repository.name, arn));
      }
    }
    if (stackName) checks.push(releaseStackCheck(clients.cloudFormation, stackName, (found) => (outputs = found)));
    results.push(...(await runChecks(checks, timeoutMs)));

    // The secrets come with the stack: without it (or without the config's repositories) there is nothing to look for.
    const deployed = outputs;
    if (config && deployed) {
      results.push(...(await runChecks(config.repositories.map((repository) => webhookSecretCheck(clients.secretsManager, repository.name, deployed)), timeoutMs)));
    }
    return results;
  } finally {
    clients.destroy?.();
  }
}

export function runDoctor(request: DoctorRequest, deps: DoctorDeps): Promise<CheckResult[]> {
  return request.target === 'aws' ? awsReadiness(request, deps) : localReadiness(request, deps);
}
