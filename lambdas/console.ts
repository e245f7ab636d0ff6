import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import '../core/zod-english';
import type { Approvals } from '../core/approvals';
import type { PushStore, ReleaseStore } from '../core/cmdb-stores';
import type { ReleaseConfig } from '../core/config';
import { consoleRights, requireRight, type ConsoleUser } from '../core/console-access';
import { CONSOLE_API_ROUTES, type ConsoleApiRoute } from '../core/console-routes';
import { CommitDescriber, consoleBoard, consoleCandidates, consoleHistory, type StepLog } from '../core/console-views';
import { NotFoundError, ValidationError } from '../core/errors';
import { MAX_METRICS_DAYS, type DeliveryMetrics } from '../core/metrics';
import type { ProductOperations } from '../core/product-operations';
import type { ReleaseOperations } from '../core/release-operations';
import type { ReleaseView } from '../core/release-views';
import { stepFunctions } from './aws-parts/step-functions';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { cognitoAuthenticator, stackIdTokenVerifier, type ConsoleAuthenticator } from './console-auth';
import { ENV, parseHandlerEnvironment } from './handler-environment';
import { errorResponse, fromError, json, unavailable } from './http';
import { InvalidRequest, jsonBody, parseRequest, requestName, requestRef } from './request-body';

export type ConsoleLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface ConsoleDeps {
  readonly config: ReleaseConfig;
  readonly operations: ReleaseOperations;
  /** The product row's promotions and rollbacks (docs/console.md#the-product-row). */
  readonly products: ProductOperations;
  /** The board's delivery metrics panel (docs/operations.md#delivery-metrics). */
  readonly metrics: DeliveryMetrics;
  /** Read to learn an approval's environment before deciding it. */
  readonly approvals: Pick<Approvals, 'get'>;
  readonly releases: Pick<ReleaseStore, 'history' | 'acceptedCommits' | 'boardCell'>;
  readonly pushes: Pick<PushStore, 'getCommit'>;
  readonly authenticate: ConsoleAuthenticator;
  readonly logger: ConsoleLogger;
  /** Where a release's step logs are; @default none known */
  readonly stepLogs?: (release: ReleaseView) => Promise<StepLog[]>;
}

const name = requestName;
const ref = requestRef;
// Why to go ahead although the environment is frozen (docs/operations.md#freeze-windows).
const override = z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500)));
const ReleaseBody = z.strictObject({ repository: name, environment: name, ref, override });
// Without a repository: the environment's last promotion is rolled back, as `POST /api/rollbacks` does.
const RollbackBody = z.strictObject({ repository: z.optional(name), environment: name, to: z.optional(ref) }).check(
  z.refine((body) => body.repository !== undefined || body.to === undefined, { message: '"to" needs a repository', path: ['to'] }),
);
const PromotionBody = z.strictObject({ environment: name, repositories: z.optional(z.array(name).check(z.minLength(1), z.maxLength(100))), override });
const MetricsQuery = z.object({
  environment: z.optional(name),
  days: z.optional(z.coerce.number<string>().check(z.int(), z.minimum(1), z.maximum(MAX_METRICS_DAYS))),
});
const DecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  confirm: z.optional(z.string().check(z.maxLength(200))),
  comment: z.optional(z.string().check(z.maxLength(4000))),
});
const ResumeBody = z.strictObject({ repository: name, environment: name });
const HistoryQuery = z.object({
  limit: z.optional(z.coerce.number<string>().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

type RouteName = ConsoleApiRoute['name'];

/**
 * The web console's API, `/console/api/*` (docs/console.md#api); the page and its assets are served by
 * `console-page.ts`. Every request is authenticated here and every action checked against the person's
 * groups (`core/console-access.ts`) before a use case runs; releases and decisions are recorded in
 * their name.
 */
export function consoleHandler(deps: ConsoleDeps) {
  const { config, operations } = deps;
  const commits = new CommitDescriber(deps.pushes, config);

  async function api(route: RouteName, event: APIGatewayProxyEvent, user: ConsoleUser): Promise<APIGatewayProxyResult> {
    const rights = consoleRights(user, config);
    const params = event.pathParameters ?? {};
    const repository = params.repository ?? '';
    const environment = params.environment ?? '';
    switch (route) {
      case 'board': {
        requireRight(rights, user, 'view');
        const me = { identity: user.identity, local: user.local === true, rights };
        return json(200, await consoleBoard(await operations.status(), { config, commits, me }));
      }
      case 'history':
        requireRight(rights, user, 'view');
        return json(200, await consoleHistory({ config, releases: deps.releases, commits }, repository, environment, parseRequest(HistoryQuery, event.queryStringParameters ?? {})));
      case 'candidates':
        requireRight(rights, user, 'view');
        return json(200, await consoleCandidates({ config, releases: deps.releases, commits }, repository, environment));
      case 'showRelease': {
        requireRight(rights, user, 'view');
        const release = await operations.showRelease(params.id ?? '');
        const [commitView, logs] = await Promise.all([commits.describe(release.repository, release.commit), deps.stepLogs?.(release) ?? []]);
        return json(200, { ...release, commitView, logs });
      }
      case 'createRelease': {
        requireRight(rights, user, 'release');
        const body = parseRequest(ReleaseBody, jsonBody(event));
        return json(202, await operations.prepareRelease({ ...body, requestedBy: user.identity }));
      }
      case 'createRollback': {
        requireRight(rights, user, 'rollback');
        const { repository: named, environment: where, to } = parseRequest(RollbackBody, jsonBody(event));
        if (named === undefined) return json(202, await deps.products.rollbackProduct({ environment: where, requestedBy: user.identity }));
        return json(202, await operations.rollback({ repository: named, environment: where, ...(to === undefined ? {} : { to }), requestedBy: user.identity }));
      }
      case 'createPromotion': {
        requireRight(rights, user, 'promote');
        const body = parseRequest(PromotionBody, jsonBody(event));
        return json(202, await deps.products.promote({ ...body, requestedBy: user.identity }));
      }
      case 'metrics':
        requireRight(rights, user, 'view');
        return json(200, await deps.metrics.compute(parseRequest(MetricsQuery, event.queryStringParameters ?? {})));
      case 'resume': {
        requireRight(rights, user, 'resume');
        return json(200, await operations.resume(parseRequest(ResumeBody, jsonBody(event))));
      }
      case 'decide': {
        const body = parseRequest(DecisionBody, jsonBody(event));
        const approval = await deps.approvals.get(params.id ?? '');
        if (!approval) throw new NotFoundError(`approval ${(params.id ?? '').slice(0, 64)} does not exist`);
        requireRight(rights, user, 'decide', approval.environment);
        // As on the emailed page: approving needs the environment's name typed, a rejection a reason.
        if (body.decision === 'approve' && body.confirm?.trim() !== approval.environment) {
          throw new ValidationError(`type the environment's name, ${approval.environment}, to approve`);
        }
        const { decision, comment } = body;
        return json(200, await operations.decideFromApi({ approvalId: approval.approvalId, decision, by: user.identity, ...(comment === undefined ? {} : { comment }) }));
      }
    }
  }

  async function serve(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const found = CONSOLE_API_ROUTES.filter((route) => route.resource === event.resource);
    if (found.length === 0) return errorResponse(404, 'not_found', 'no such route');
    const route = found.find((candidate) => candidate.method === event.httpMethod);
    if (!route) return errorResponse(405, 'method_not_allowed', `use ${found.map((candidate) => candidate.method).join(' or ')} here`);
    const user = await deps.authenticate(event);
    if (!user) return errorResponse(401, 'unauthorized', 'sign in to the console: the request carries no valid token');
    const response = await api(route.name, event, user);
    deps.logger.info('console api', { route: route.name, by: user.identity, status: response.statusCode });
    return response;
  }

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    try {
      return await serve(event);
    } catch (error) {
      if (error instanceof InvalidRequest) return errorResponse(400, 'invalid_request', error.message);
      const response = fromError(error);
      if (response.statusCode >= 500) deps.logger.error('console failed', { resource: event.resource, error });
      else deps.logger.info('console refused', { resource: event.resource, status: response.statusCode });
      return response;
    }
  };
}


/**
 * On AWS a release or rollback is one run of the promotion workflow, named by the release id; its page in
 * the Step Functions console lists each step with its CodeBuild log. A continuous run records the log of
 * a failing step on the release itself.
 */
export function workflowRunLogs(stateMachineArn: string, release: Pick<ReleaseView, 'releaseId' | 'kind' | 'createdAt'>): StepLog[] {
  const arn = /^arn:([\w-]+):states:([\w-]+):(\d+):stateMachine:(.+)$/.exec(stateMachineArn);
  if (!arn || release.kind === 'deploy') return [];
  const [, partition, region, account, name] = arn;
  const execution = `arn:${partition}:states:${region}:${account}:execution:${name}:${release.releaseId}`;
  return [{ step: 'workflow', at: release.createdAt, url: `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${execution}` }];
}

/** What the console handler is given on AWS: the CMDB and Step Functions (aws-parts/), no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('console', { workflows: stepFunctions }, source).console();

/** Lambda entry point. */
export const handler = coldStartHandler(() => {
  const env = parseHandlerEnvironment('console', process.env);
  const userPoolId = env[ENV.userPoolId];
  const promotionArn = env[ENV.promotionStateMachineArn];
  return consoleHandler({
    ...dependencies(),
    authenticate: cognitoAuthenticator(stackIdTokenVerifier(userPoolId)),
    stepLogs: async (release) => workflowRunLogs(promotionArn, release),
  });
}, () => unavailable());
