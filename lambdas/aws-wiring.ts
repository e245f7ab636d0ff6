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
import { systemClock } from '../core/ports';
import { buildTargets } from './build-targets';
import { composeRelease, type ReleaseComposition } from './compose';

const ProjectsEnv = z.record(z.string(), z.object({ build: z.string(), deploy: z.string(), test: z.string() }));

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

/** Calls `make` the first time only: one client per cold start, however many use cases share it. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * Every AWS client and adapter of the Lambdas, made from the environment the stack sets, each on first
 * use: a handler makes only the clients it needs. Handlers receive what they need; none creates a client
 * of its own.
 */
export function awsDependencies(): ReleaseComposition {
  const sfn = once(() => new SFNClient({}));
  // The approval functions only answer waiting Tasks: they start no workflow and are given no state machine.
  const arns = {
    continuous: () => ({ continuous: env('CONTINUOUS_STATE_MACHINE_ARN') }),
    promotion: () => ({ promotion: env('PROMOTION_STATE_MACHINE_ARN') }),
    tasks: () => ({}),
  };
  return composeRelease({
    config: releaseConfig,
    stores: once(() => {
      const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
      return dynamoCmdbStores(documentClient, env('TABLE_NAME'), env('PRODUCT'));
    }),
    workflows: (use) => new StepFunctionsEngine(sfn(), arns[use]()),
    buildTargets: () => buildTargets(ProjectsEnv.parse(JSON.parse(env('PROJECTS'))), env('ARTIFACT_BUCKET')),
    secrets: once(() => new SecretsManagerStore(new SecretsManagerClient({}))),
    webhookSecretNames: () => z.record(z.string(), z.string()).parse(JSON.parse(env('WEBHOOK_SECRETS'))),
    // The stack names the key (see lib/approvals.ts).
    signingKeyName: () => env('APPROVAL_SIGNING_KEY_SECRET'),
    approvalEmail: () => {
      const logger = new Logger();
      return {
        mailer: new SesMailer(new SESv2Client({})),
        baseUrl: env('APPROVAL_BASE_URL'),
        onSendFailed: (approver, error) => logger.warn('approval email failed', { approver, error }),
      };
    },
    logger: () => new Logger(),
    clock: systemClock,
  });
}
