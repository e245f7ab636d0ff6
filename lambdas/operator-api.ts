import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import '../core/zod-english';
import { OPERATOR_API_ROUTES, type OperatorApiRoute } from '../core/operator-api-routes';
import type { ProductOperations } from '../core/product-operations';
import { MAX_METRICS_DAYS, type DeliveryMetrics } from '../core/metrics';
import type { ReleaseOperations } from '../core/release-operations';
import { awsDependencies, coldStartHandler, type HandlerSource } from './aws-wiring';
import { stepFunctions } from './aws-parts/step-functions';
import { errorResponse, fromError, json, unavailable } from './http';
import { InvalidRequest, jsonBody, parseRequest, requestName, requestRef } from './request-body';

export type OperatorApiLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface OperatorApiDeps {
  readonly operations: ReleaseOperations;
  /** Promotions of several repositories (docs/architecture.md#promotions). */
  readonly products: ProductOperations;
  readonly logger: OperatorApiLogger;
  /** `GET /api/metrics` (docs/operations.md#delivery-metrics). */
  readonly metrics: DeliveryMetrics;
}

// Names are checked against the config by the use cases (404 naming the configured ones); here only size.
const name = requestName;
const ref = requestRef;

const override = z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500)));
const ReleaseBody = z.strictObject({ repository: name, environment: name, ref, override });
// Without a repository: the environment's last promotion is rolled back (`to` then makes no sense).
const RollbackBody = z.strictObject({ repository: z.optional(name), environment: name, to: z.optional(ref) }).check(
  z.refine((body) => body.repository !== undefined || body.to === undefined, {
    message: '"to" needs a repository: a promotion is rolled back to the set accepted before it',
    path: ['to'],
  }),
);
const PromotionBody = z.strictObject({ environment: name, repositories: z.optional(z.array(name).check(z.minLength(1), z.maxLength(100))), override });
const DecisionBody = z.strictObject({ decision: z.enum(['approve', 'reject']), comment: z.optional(z.string().check(z.maxLength(4000))) });
const ResumeBody = z.strictObject({ repository: name, environment: name });
const MetricsQuery = z.object({
  environment: z.optional(name),
  days: z.optional(z.coerce.number<string>().check(z.int(), z.gte(1), z.lte(MAX_METRICS_DAYS))),
});
const HistoryQuery = z.object({
  limit: z.optional(z.coerce.number<string>().check(z.int(), z.gte(1), z.lte(100))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

type RouteName = OperatorApiRoute['name'];
type RouteMatch =
  | { kind: 'route'; name: RouteName; params: Record<string, string | undefined> }
  | { kind: 'method'; allowed: string[] }
  | { kind: 'unknown' };

/**
 * API Gateway names the matched resource (`/api/releases/{id}`) and its path parameters. An event built
 * without them (a proxy resource, a local server) is matched on its path instead.
 */
function matchRoute(event: APIGatewayProxyEvent): RouteMatch {
  const byResource = OPERATOR_API_ROUTES.filter((route) => route.resource === event.resource);
  const candidates = byResource.length > 0
    ? byResource.map((route) => ({ route, params: { ...event.pathParameters } }))
    : OPERATOR_API_ROUTES.flatMap((route) => {
        const params = matchPath(route.resource, event.path ?? '');
        return params ? [{ route, params }] : [];
      });
  if (candidates.length === 0) return { kind: 'unknown' };
  const match = candidates.find(({ route }) => route.method === event.httpMethod);
  if (!match) return { kind: 'method', allowed: [...new Set(candidates.map(({ route }) => route.method))] };
  return { kind: 'route', name: match.route.name, params: match.params };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/\{(\w+)\}/g, (_whole, param: string) => {
    names.push(param);
    return '([^/]+)';
  });
  const found = new RegExp(`^${pattern}/?$`).exec(path);
  if (!found) return undefined;
  const params: Record<string, string> = {};
  for (const [index, param] of names.entries()) {
    const value = found[index + 1] ?? '';
    try {
      params[param] = decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return params;
}

/** A request this API refuses before any use case runs: a missing identity, a bad body or query. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every `/api/*` route (docs/architecture.md#http-api): route -> parse -> one use case -> JSON. Callers are IAM
 * identities (API Gateway checked the SigV4 signature); the identity is who a release or a decision is
 * recorded as. Input errors are 4xx with our own message; only a failing dependency is a 503.
 */
export function operatorApiHandler(deps: OperatorApiDeps) {
  const ops = deps.operations;

  async function dispatch(route: Extract<RouteMatch, { kind: 'route' }>, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const by = identity(event);
    const { params } = route;
    switch (route.name) {
      case 'status':
        return json(200, await ops.status());
      case 'history': {
        const query = parseRequest(HistoryQuery, event.queryStringParameters ?? {}, 'query');
        return json(200, await ops.history(params.repository ?? '', params.environment ?? '', query));
      }
      case 'createRelease': {
        const body = parseRequest(ReleaseBody, jsonBody(event), 'body');
        return json(202, await ops.prepareRelease({ ...body, requestedBy: by }));
      }
      case 'showRelease':
        return json(200, await ops.showRelease(params.id ?? ''));
      case 'createRollback': {
        const { repository, environment, to } = parseRequest(RollbackBody, jsonBody(event), 'body');
        if (repository === undefined) return json(202, await deps.products.rollbackProduct({ environment, requestedBy: by }));
        return json(202, await ops.rollback({ repository, environment, ...(to === undefined ? {} : { to }), requestedBy: by }));
      }
      case 'decide': {
        const body = parseRequest(DecisionBody, jsonBody(event), 'body');
        return json(200, await ops.decideFromApi({ approvalId: params.id ?? '', ...body, by }));
      }
      case 'createPromotion': {
        const body = parseRequest(PromotionBody, jsonBody(event), 'body');
        return json(202, await deps.products.promote({ ...body, requestedBy: by }));
      }
      case 'resume': {
        const body = parseRequest(ResumeBody, jsonBody(event), 'body');
        return json(200, await ops.resume(body));
      }
      case 'metrics': {
        const query = parseRequest(MetricsQuery, event.queryStringParameters ?? {}, 'query');
        return json(200, await deps.metrics.compute(query));
      }
    }
  }

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const route = matchRoute(event);
    if (route.kind === 'unknown') return errorResponse(404, 'not_found', 'no such route');
    if (route.kind === 'method') {
      return errorResponse(405, 'method_not_allowed', `use ${route.allowed.join(' or ')} here`);
    }
    try {
      const response = await dispatch(route, event);
      deps.logger.info('release api', { route: route.name, status: response.statusCode });
      return response;
    } catch (error) {
      if (error instanceof BadRequest) return errorResponse(error.status, error.code, error.message);
      if (error instanceof InvalidRequest) return errorResponse(400, 'invalid_request', error.message);
      const response = fromError(error);
      if (response.statusCode >= 500) deps.logger.error('release api failed', { route: route.name, error });
      else deps.logger.info('release api refused', { route: route.name, status: response.statusCode });
      return response;
    }
  };
}

/** The SigV4-authenticated caller; API Gateway sets it only for `AWS_IAM` methods. */
function identity(event: APIGatewayProxyEvent): string {
  const arn = event.requestContext?.identity?.userArn;
  if (!arn) throw new BadRequest(403, 'forbidden', 'the request carries no IAM identity: sign it with AWS credentials (SigV4)');
  return arn;
}

/** The body as JSON, whatever its declared type (`curl -d` sends JSON as a form). */


/** What the operator-api handler is given on AWS: the CMDB and the parts named here (aws-parts/), no other SDK client. */
export const dependencies = (source?: HandlerSource) => awsDependencies('operator-api', { workflows: stepFunctions }, source).operatorApi();

/** Lambda entry point. */
export const handler = coldStartHandler(() => operatorApiHandler(dependencies()), () => unavailable());
