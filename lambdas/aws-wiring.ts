import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dynamoCmdbStores } from '../adapters/aws/dynamo-cmdb-stores';
import { SecretsManagerStore } from '../adapters/aws/secrets-manager-store';
import { SesMailer } from '../adapters/aws/ses-mailer';
import { StepFunctionsEngine } from '../adapters/aws/step-functions-engine';
import { ReleaseConfig } from '../core/config';
import { EmailApprovalNotifier, signingKeyFrom } from '../core/approval-notifier';
import { Approvals } from '../core/approvals';
import { ContinuousSteps } from '../core/continuous-steps';
import { EnvironmentChain } from '../core/environment-chain';
import { PromotionSteps } from '../core/promotion-steps';
import { ReleaseOperations } from '../core/release-operations';
import { systemClock } from '../core/ports';

/** Where a repository's commits are built, deployed and tested, and where their artifacts live. */
export interface BuildTargets {
  forCommit(repository: string, commit: string): {
    projects: { build: string; deploy: string; test: string };
    artifact: { bucket: string; path: string; name: string; location: string };
  };
}

const ProjectsEnv = z.record(z.string(), z.object({ build: z.string(), deploy: z.string(), test: z.string() }));

/** Build targets from the names the stack gives: `projects` by repository, and the artifact bucket. */
export function buildTargets(projects: z.infer<typeof ProjectsEnv>, bucket: string): BuildTargets {
  return {
    forCommit(repository, commit) {
      const names = projects[repository];
      if (!names) throw new Error(`no build projects for repository ${repository}`);
      const path = `artifacts/${repository}/${commit}`;
      return { projects: names, artifact: { bucket, path, name: 'artifact.zip', location: `${bucket}/${path}/artifact.zip` } };
    },
  };
}

/**
 * A Lambda entry point whose dependencies are made on its first invocation, once per cold start (never
 * at import, so handlers stay testable). If they cannot be made (a missing environment variable: ours,
 * not the caller's), `unavailable` answers instead of a crash with a stack trace.
 */
export function coldStartHandler<E, R>(make: () => (event: E) => Promise<R>, unavailable?: (error: unknown) => R): (event: E) => Promise<R> {
  let handle: ((event: E) => Promise<R>) | undefined;
  return async (event) => {
    try {
      handle ??= make();
    } catch (error) {
      if (!unavailable) throw error;
      console.error('the handler could not start', error);
      return unavailable(error);
    }
    return handle(event);
  };
}

/** The validated release.config.yaml, which the stack passes to the Lambdas as JSON. */
function releaseConfig(): ReleaseConfig {
  return ReleaseConfig.parse(JSON.parse(env('RELEASE_CONFIG')));
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * Every AWS client and adapter of the Lambdas, made once per cold start from the environment the stack
 * sets. Handlers receive what they need; none creates a client of its own.
 */
export function awsDependencies() {
  const client = new DynamoDBClient({});
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const { releases, approvals, pushes, leases, deliveries } = dynamoCmdbStores(documentClient, env('TABLE_NAME'), env('PRODUCT'));
  const targets = () => buildTargets(ProjectsEnv.parse(JSON.parse(env('PROJECTS'))), env('ARTIFACT_BUCKET'));
  const signingKey = (config: ReleaseConfig) =>
    signingKeyFrom(new SecretsManagerStore(new SecretsManagerClient({})), config.product, env('APPROVAL_SIGNING_KEY_SECRET'));
  // The approval functions only answer waiting Tasks: they start no workflow.
  const taskResponses = () => new StepFunctionsEngine(new SFNClient({}), {});
  const deps = {
    continuous: () => ({
      steps: new ContinuousSteps({ releases, pushes, leases, clock: systemClock }),
      targets: targets(),
    }),
    promotion: () => ({
      steps: new PromotionSteps({ releases, approvals, leases, clock: systemClock, chain: new EnvironmentChain(releaseConfig()) }),
      targets: targets(),
    }),
    approvalRequests: () => ({
      approvals: new Approvals({
        releases,
        approvals,
        workflows: taskResponses(),
        clock: systemClock,
        chain: new EnvironmentChain(releaseConfig()),
        notifier: deps.approvalNotifier(),
      }),
    }),
    /** Emails approval links through SES, signed with the key the stack names (see lib/approvals.ts). */
    approvalNotifier: (logger: Pick<Logger, 'warn'> = new Logger()) => {
      const config = releaseConfig();
      return new EmailApprovalNotifier({
        mailer: new SesMailer(new SESv2Client({})),
        releases,
        pushes,
        config,
        signingKey: signingKey(config),
        baseUrl: env('APPROVAL_BASE_URL'),
        onSendFailed: (approver, error) => logger.warn('approval email failed', { approver, error }),
      });
    },
    approvalPage: () => {
      const config = releaseConfig();
      return {
        approvals: new Approvals({ releases, approvals, workflows: taskResponses(), clock: systemClock, chain: new EnvironmentChain(config) }),
        releases,
        pushes,
        config,
        signingKey: signingKey(config),
        clock: systemClock,
        logger: new Logger(),
      };
    },
    releaseApi: () => {
      const config = releaseConfig();
      const workflows = new StepFunctionsEngine(new SFNClient({}), { promotion: env('PROMOTION_STATE_MACHINE_ARN') });
      const decisions = new Approvals({ releases, approvals, workflows, clock: systemClock, chain: new EnvironmentChain(config) });
      return { operations: new ReleaseOperations({ config, releases, pushes, workflows, clock: systemClock, approvals: decisions }), logger: new Logger() };
    },
    webhook: () => ({
      config: releaseConfig(),
      deliveries,
      pushes,
      workflows: new StepFunctionsEngine(new SFNClient({}), { continuous: env('CONTINUOUS_STATE_MACHINE_ARN') }),
      secrets: new SecretsManagerStore(new SecretsManagerClient({})),
      secretNames: z.record(z.string(), z.string()).parse(JSON.parse(env('WEBHOOK_SECRETS'))),
      clock: systemClock,
      logger: new Logger(),
    }),
  };
  return deps;
}
