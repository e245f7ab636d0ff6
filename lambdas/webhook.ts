import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { DeliveryStore, PushStore } from '../core/cmdb-stores';
import type { ReleaseConfig } from '../core/config';
import { PROVIDERS } from '../core/providers';
import { EnvironmentChain } from '../core/environment-chain';
import type { Clock, SecretStore, WorkflowEngine } from '../core/ports';
import { WebhookIntake, webhookSecretName, type IntakeResult } from '../core/webhook-intake';
import { readWebhook } from '../core/webhooks';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { stepFunctions } from './aws-parts/step-functions';
import { secretsManager } from './aws-parts/secrets-manager';
import { errorResponse, json, lowerCaseHeaders, rawBody, unavailable } from './http';

export type WebhookLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface WebhookDeps {
  readonly config: ReleaseConfig;
  readonly deliveries: DeliveryStore;
  readonly pushes: PushStore;
  readonly workflows: WorkflowEngine;
  readonly secrets: SecretStore;
  /**
   * Secret name of each repository's webhook secret.
   * @default webhookSecretName(product, repository), the names the stack gives
   */
  readonly secretNames?: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly logger: WebhookLogger;
  /** @default DEFAULT_MAX_BODY_BYTES of core/webhooks */
  readonly maxBodyBytes?: number;
}

/**
 * `POST /webhooks/{provider}`: verify -> act -> answer. Anything a client sends is answered 2xx or 4xx
 * (readWebhook never throws for input); only a failing dependency is a 503, so the git host retries.
 * Logs say which delivery did what, never the body or the signature headers.
 */
export function webhookHandler(deps: WebhookDeps) {
  const intake = new WebhookIntake({ deliveries: deps.deliveries, pushes: deps.pushes, workflows: deps.workflows, clock: deps.clock, chain: new EnvironmentChain(deps.config) });
  const secretFor = (repository: string) =>
    deps.secrets.get(deps.secretNames?.[repository] ?? webhookSecretName(deps.config.product, repository));

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const requested = event.pathParameters?.provider ?? '';
    // The path is client input: only a known provider's name reaches the logs.
    const provider = (PROVIDERS as readonly string[]).includes(requested) ? requested : 'unknown';
    try {
      const outcome = await readWebhook({
        provider: requested,
        headers: lowerCaseHeaders(event.headers),
        body: rawBody(event),
        repositories: deps.config.repositories,
        secretFor,
        ...(deps.maxBodyBytes === undefined ? {} : { maxBodyBytes: deps.maxBodyBytes }),
      });
      if (outcome.kind === 'rejected') {
        deps.logger.warn('webhook rejected', { provider, status: outcome.status, error: outcome.error });
        return errorResponse(outcome.status, outcome.error, outcome.message);
      }
      const result = await intake.receive(outcome);
      deps.logger.info('webhook handled', { provider, ...summary(result) });
      return respond(result);
    } catch (error) {
      deps.logger.error('webhook failed: a dependency is unavailable', { provider, error });
      return unavailable();
    }
  };
}

function respond(result: IntakeResult): APIGatewayProxyResult {
  if (result.kind === 'ping') return json(200, { status: 'pong', ...where(result) });
  return json(202, {
    status: result.status,
    ...where(result),
    ...(result.reason ? { reason: result.reason } : {}),
    refs: result.refs,
  });
}

function where(result: IntakeResult) {
  return {
    ...(result.repository === undefined ? {} : { repository: result.repository }),
    ...(result.deliveryId === undefined ? {} : { deliveryId: result.deliveryId }),
  };
}

function summary(result: IntakeResult) {
  return {
    ...where(result),
    outcome: result.kind === 'ping' ? 'ping' : result.status,
    refs: result.kind === 'ping' ? [] : result.refs.map((ref) => ({ ref: `${ref.refKind}:${ref.ref}`, status: ref.status, commit: ref.commit })),
  };
}

/** What the webhook handler is given on AWS: the CMDB and the parts named here (aws-parts/), no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('webhook', { workflows: stepFunctions, secrets: secretsManager }, source).webhook();

/** Lambda entry point; the git host retries a 503. */
export const handler = coldStartHandler(() => webhookHandler(dependencies()), () => unavailable());
