import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseStore } from '../../core/cmdb-stores';
import { TransientError } from '../../core/errors';
import { DeliveryMetrics } from '../../core/metrics';
import { ReleaseOperations } from '../../core/release-operations';
import { operatorApiHandler, type OperatorApiLogger } from '../../lambdas/operator-api';
import { config, createWorld, sha, type World } from '../core/release-operations-harness';

const REPO = 'sample-service';
const ALICE = 'arn:aws:sts::123456789012:assumed-role/Operators/alice';
const [C1, C2] = [sha('one'), sha('two')];

interface Request {
  readonly method: string;
  readonly resource: string;
  readonly path: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** @default ALICE; null: an unsigned request */
  readonly userArn?: string | null;
}

/** The REST proxy event API Gateway sends for an `AWS_IAM` method. */
function event(request: Request): APIGatewayProxyEvent {
  return {
    resource: request.resource,
    path: request.path,
    httpMethod: request.method,
    headers: request.body === undefined ? {} : { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: request.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    requestContext: { identity: { userArn: request.userArn === undefined ? ALICE : request.userArn } } as APIGatewayProxyEvent['requestContext'],
    body: request.body === undefined ? null : typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
    isBase64Encoded: false,
  };
}

const get = {
  status: (): Request => ({ method: 'GET', resource: '/api/status', path: '/api/status' }),
  history: (repository: string, environment: string, query?: Record<string, string>): Request => ({
    method: 'GET',
    resource: '/api/history/{repository}/{environment}',
    path: `/api/history/${repository}/${environment}`,
    pathParameters: { repository, environment },
    ...(query ? { query } : {}),
  }),
  release: (id: string): Request => ({ method: 'GET', resource: '/api/releases/{id}', path: `/api/releases/${id}`, pathParameters: { id } }),
};
const post = {
  release: (body: unknown): Request => ({ method: 'POST', resource: '/api/releases', path: '/api/releases', body }),
  rollback: (body: unknown): Request => ({ method: 'POST', resource: '/api/rollbacks', path: '/api/rollbacks', body }),
  decision: (id: string, body: unknown): Request => ({ method: 'POST', resource: '/api/approvals/{id}', path: `/api/approvals/${id}`, pathParameters: { id }, body }),
  resume: (body: unknown): Request => ({ method: 'POST', resource: '/api/resume', path: '/api/resume', body }),
  promotion: (body: unknown): Request => ({ method: 'POST', resource: '/api/promotions', path: '/api/promotions', body }),
};

function recordingLogger(): OperatorApiLogger & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  const keep = (...args: unknown[]) => void lines.push(args);
  return { lines, info: keep, warn: keep, error: keep };
}

let world: World;
let logger: ReturnType<typeof recordingLogger>;
let call: (request: Request) => Promise<APIGatewayProxyResult>;

beforeEach(async () => {
  world = await createWorld();
  logger = recordingLogger();
  const handler = operatorApiHandler({ operations: world.operations, products: world.products, logger, metrics: new DeliveryMetrics({ config, metrics: world.stores.metrics, clock: world.clock }) });
  call = (request) => handler(event(request));
});

function bodyOf(response: APIGatewayProxyResult): Record<string, unknown> {
  expect(response.headers?.['content-type']).toMatch(/^application\/json/);
  return JSON.parse(response.body) as Record<string, unknown>;
}

describe('operator API routes', () => {
  it('GET /api/status answers the board in the documented shape (docs/architecture.md#json-answers)', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const approval = await world.seed.waiting(REPO, 'preproduction', C1, 'accept');

    const response = await call(get.status());

    expect(response.statusCode).toBe(200);
    const body = bodyOf(response);
    expect(Object.keys(body).sort()).toEqual(['environments', 'pendingApprovals', 'repositories']);
    expect(body).toEqual({
      environments: ['integration', 'preproduction', 'production'],
      repositories: [
        {
          name: REPO,
          environments: {
            integration: { commit: C1, acceptedCommit: C1, state: 'accepted', releaseId: expect.any(String), updatedAt: expect.any(String), held: false },
            preproduction: { commit: C1, acceptedCommit: null, state: 'awaiting_acceptance', releaseId: approval.releaseId, updatedAt: expect.any(String), held: false },
            production: null,
          },
        },
        { name: 'payments', environments: { integration: null, preproduction: null, production: null } },
      ],
      pendingApprovals: [
        { id: approval.approvalId, releaseId: approval.releaseId, repository: REPO, environment: 'preproduction', commit: C1, gate: 'accept', expiresAt: approval.expiresAt },
      ],
    });
  });

  it('GET /api/history pages with limit and cursor', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.seed.acceptedInIntegration(REPO, C2);

    const first = bodyOf(await call(get.history(REPO, 'integration', { limit: '1' })));
    expect(first).toEqual({ items: [expect.objectContaining({ commit: C2, kind: 'deploy', state: 'accepted', approvals: [] })], cursor: expect.any(String) });
    const second = bodyOf(await call(get.history(REPO, 'integration', { limit: '1', cursor: String(first.cursor) })));
    expect(second.items).toEqual([expect.objectContaining({ commit: C1 })]);
    const last = bodyOf(await call(get.history(REPO, 'integration', { limit: '1', cursor: String(second.cursor) })));
    expect(last).toEqual({ items: [], cursor: null });
  });

  it.each([
    ['a 3,000-character release id', () => get.release('r'.repeat(3000))],
    ['an approval id of other characters', () => post.decision('a-<script>', { decision: 'approve' })],
    ['a 3,000-character approval id', () => post.decision('a'.repeat(3000), { decision: 'approve' })],
    ['a well-formed cursor of another history', () => get.history(REPO, 'integration', { cursor: Buffer.from(JSON.stringify({ pk: 'RELEASE#r-x', sk: 'RELEASE', gsi1pk: 'HISTORY#payments#production', gsi1sk: 'x' })).toString('base64url') })],
    ['a cursor naming other attributes', () => get.history(REPO, 'integration', { cursor: Buffer.from(JSON.stringify({ anything: 'x' })).toString('base64url') })],
  ])('answers 400, not 5xx, for %s', async (_what, request) => {
    const response = await call(request());

    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({ error: 'invalid_request', message: expect.any(String) });
  });

  it('POST /api/releases prepares a release as the caller and answers 202', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);

    const response = await call(post.release({ repository: REPO, environment: 'preproduction', ref: C1.slice(0, 7) }));

    expect(response.statusCode).toBe(202);
    const { releaseId } = bodyOf(response);
    expect(world.workflows.promotions).toEqual([{ name: releaseId, input: expect.objectContaining({ commit: C1, kind: 'release', requestedBy: ALICE }) }]);
    const shown = await call(get.release(String(releaseId)));
    expect(shown.statusCode).toBe(200);
    expect(bodyOf(shown)).toMatchObject({
      releaseId,
      repository: REPO,
      environment: 'preproduction',
      commit: C1,
      kind: 'release',
      state: 'prepared',
      requestedBy: ALICE,
      history: [{ state: 'prepared', at: expect.any(String), by: ALICE }],
      approvals: [],
    });
  });

  it('POST /api/releases answers 409 with the reason for a commit not accepted below, starting nothing', async () => {
    await world.seed.push(REPO, C1);
    const response = await call(post.release({ repository: REPO, environment: 'preproduction', ref: C1 }));
    expect(response.statusCode).toBe(409);
    expect(bodyOf(response)).toEqual({ error: 'conflict', message: `${C1.slice(0, 7)} is not accepted in integration: only a commit accepted there may be released into preproduction` });
    expect(world.workflows.promotions).toEqual([]);
  });

  it('POST /api/rollbacks answers 202 with the rollback, and 409 when there is nothing to go back to', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const refused = await call(post.rollback({ repository: REPO, environment: 'integration' }));
    expect(refused.statusCode).toBe(409);
    expect(bodyOf(refused).message).toMatch(/^nothing to roll back to/);

    await world.seed.acceptedInIntegration(REPO, C2);
    const response = await call(post.rollback({ repository: REPO, environment: 'integration', to: C1 }));
    expect(response.statusCode).toBe(202);
    expect(world.workflows.promotions).toEqual([{ name: bodyOf(response).releaseId, input: expect.objectContaining({ commit: C1, kind: 'rollback', requestedBy: ALICE }) }]);
  });

  it('POST /api/approvals/{id} decides as the calling IAM identity', async () => {
    const approval = await world.seed.waiting(REPO, 'production', C1, 'approve_deploy');

    const response = await call(post.decision(approval.approvalId, { decision: 'approve', comment: 'go' }));

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ approvalId: approval.approvalId, releaseId: approval.releaseId, status: 'approved', decidedBy: ALICE, decidedAt: expect.any(String) });
    expect(world.workflows.successes).toEqual([{ taskToken: approval.taskToken, output: { decision: 'approve', by: ALICE, comment: 'go' } }]);
    expect(bodyOf(await call(get.release(approval.releaseId))).approvals).toEqual([
      { approvalId: approval.approvalId, gate: 'approve_deploy', decision: 'approve', by: ALICE, at: expect.any(String), comment: 'go' },
    ]);
    const again = await call(post.decision(approval.approvalId, { decision: 'reject', comment: 'no' }));
    expect(again.statusCode).toBe(409);
  });

  it('POST /api/resume lifts a hold', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    await world.stores.releases.setHeld(REPO, 'integration', true, world.clock.now().toISOString());
    const response = await call(post.resume({ repository: REPO, environment: 'integration' }));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ repository: REPO, environment: 'integration', held: false });
    expect((await world.stores.releases.boardCell(REPO, 'integration'))?.held).toBe(false);
  });

  it('routes on the path when the event names no API Gateway resource (a proxy, a local server)', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const response = await call({ method: 'GET', resource: '/{proxy+}', path: `/api/history/${REPO}/integration` });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).items).toHaveLength(1);
  });
});

describe('operator API refusals', () => {
  it.each([
    ['an unknown repository', get.history('nope', 'integration')],
    ['an unknown environment', get.history(REPO, 'staging')],
    ['an unknown release', get.release('r-nope')],
    ['an unknown approval', post.decision('a-nope', { decision: 'approve' })],
    ['an unknown repository in a body', post.release({ repository: 'nope', environment: 'production', ref: C1 })],
    ['an unknown environment in a body', post.resume({ repository: REPO, environment: 'staging' })],
    ['an unknown route', { method: 'GET', resource: '/{proxy+}', path: '/api/nope' }],
    ['a route missing a segment', { method: 'GET', resource: '/{proxy+}', path: `/api/history/${REPO}` }],
  ])('answers 404 for %s', async (_what, request) => {
    const response = await call(request);
    expect(response.statusCode).toBe(404);
    expect(bodyOf(response)).toEqual({ error: 'not_found', message: expect.any(String) });
  });

  it('answers 405 for a known route with another method', async () => {
    const response = await call({ method: 'DELETE', resource: '/api/releases/{id}', path: '/api/releases/r-1', pathParameters: { id: 'r-1' } });
    expect(response.statusCode).toBe(405);
  });

  it.each([
    ['no body', post.release(undefined)],
    ['a body that is not JSON', post.release('{"repository":')],
    ['a JSON array', post.release([REPO])],
    ['a JSON null', post.release('null')],
    ['a missing ref', post.release({ repository: REPO, environment: 'production' })],
    ['an empty ref', post.release({ repository: REPO, environment: 'production', ref: '  ' })],
    ['a ref of 1000 characters', post.release({ repository: REPO, environment: 'production', ref: 'x'.repeat(1000) })],
    ['a number for a name', post.rollback({ repository: 7, environment: 'integration' })],
    ['an unknown field', post.rollback({ repository: REPO, environment: 'integration', force: true })],
    ['a decision that is neither approve nor reject', post.decision('a-1', { decision: 'maybe' })],
    ['a limit that is not a number', get.history(REPO, 'integration', { limit: 'ten' })],
    ['a limit of 0', get.history(REPO, 'integration', { limit: '0' })],
    ['a foreign cursor', get.history(REPO, 'integration', { cursor: 'e30' })],
  ])('answers 400 for %s, with our message and no trace', async (_what, request) => {
    const response = await call(request);
    expect(response.statusCode).toBe(400);
    const body = bodyOf(response);
    expect(body).toEqual({ error: 'invalid_request', message: expect.any(String) });
    expect(String(body.message)).not.toMatch(/\n\s+at |node_modules|\.ts:\d/);
    expect(world.workflows.promotions).toEqual([]);
  });

  it('answers 400 for a rejection of a pending approval without a reason', async () => {
    const approval = await world.seed.waiting(REPO, 'production', C1, 'approve_deploy');
    const response = await call(post.decision(approval.approvalId, { decision: 'reject', comment: ' ' }));
    expect(response.statusCode).toBe(400);
    expect(await world.stores.approvals.getApproval(approval.approvalId)).toMatchObject({ status: 'pending' });
  });

  it('refuses a request without an IAM identity with 403, changing nothing', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const response = await call({ ...post.release({ repository: REPO, environment: 'preproduction', ref: C1 }), userArn: null });
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response).error).toBe('forbidden');
    expect(world.workflows.promotions).toEqual([]);
    expect(await world.stores.releases.boardCell(REPO, 'preproduction')).toBeUndefined();
  });

  it('never answers 5xx to hostile input on any route', async () => {
    const hostile: unknown[] = ['', '{}', '[]', '"x"', '1e999', '{"__proto__":{"admin":true}}', { repository: '../../etc', environment: '%00', ref: '\u0000' }, { repository: REPO, environment: 'production', ref: '*' }];
    const routes = [
      (body: unknown) => post.release(body),
      (body: unknown) => post.rollback(body),
      (body: unknown) => post.decision('a-%2F..', body),
      (body: unknown) => post.resume(body),
    ];
    const requests: Request[] = [
      ...routes.flatMap((route) => hostile.map(route)),
      get.history('%E0%A4%A', 'x'.repeat(5000)),
      get.history(REPO, 'integration', { limit: '-1' }),
      get.history(REPO, 'integration', { limit: '1.5' }),
      get.history(REPO, 'integration', { cursor: 'x'.repeat(5000) }),
      get.release('\u0000'),
      { method: 'GET', resource: '/{proxy+}', path: '/api/releases/%E0%A4%A' },
    ];
    for (const request of requests) {
      const response = await call(request);
      expect(response.statusCode, JSON.stringify(request)).toBeLessThan(500);
      expect(response.statusCode, JSON.stringify(request)).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers 503 without details when a dependency fails, and logs the error', async () => {
    const failing = new Proxy(world.stores.releases, {
      get: (target, property, receiver) =>
        property === 'board' ? () => Promise.reject(new TransientError('DynamoDB throttled: ProvisionedThroughputExceededException')) : Reflect.get(target, property, receiver),
    }) as ReleaseStore;
    const operations = new ReleaseOperations({ config, releases: failing, pushes: world.stores.pushes, workflows: world.workflows, clock: world.clock, approvals: world.approvals });
    const handler = operatorApiHandler({ operations, products: world.products, logger, metrics: new DeliveryMetrics({ config, metrics: world.stores.metrics, clock: world.clock }) });
    const response = await handler(event(get.status()));
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toEqual({ error: 'unavailable', message: 'a service this request needs is unavailable; try again later' });
    expect(logger.lines.some(([message]) => message === 'release api failed')).toBe(true);
  });
});

describe('promotions through the operator API', () => {
  it('starts a promotion of what is accepted below (202 with its members), answers an equal request with it, and shows its members', async () => {
    await world.seed.acceptedInIntegration(REPO, C1, { artifactVersion: 'v-c1' });

    const response = await call(post.promotion({ environment: 'preproduction' }));
    const again = await call(post.promotion({ environment: 'preproduction', repositories: [REPO] }));

    expect(response.statusCode).toBe(202);
    const body = bodyOf(response) as { releaseId: string; members: unknown };
    expect(body.members).toEqual([{ repository: REPO, commit: C1 }]);
    expect(bodyOf(again)).toEqual(body);
    expect(world.workflows.promotions).toEqual([{ input: { releaseId: body.releaseId, environment: 'preproduction', kind: 'release', requestedBy: ALICE, product: true }, name: body.releaseId }]);
    const shown = bodyOf(await call(get.release(body.releaseId)));
    expect(shown).toMatchObject({ releaseId: body.releaseId, repository: '*', commit: '', state: 'prepared', members: [{ repository: REPO, commit: C1, state: 'prepared', previous: null }] });
    // One release at a time: the repository's own release waits for the promotion.
    const single = await call(post.release({ repository: REPO, environment: 'preproduction', ref: C1 }));
    expect(single.statusCode).toBe(409);
    expect(bodyOf(single).message).toContain(`is part of promotion ${body.releaseId}`);
  });

  it('answers 409 when a member\'s build was never recorded below (push it again), and starts nothing', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);

    const response = await call(post.promotion({ environment: 'preproduction' }));

    expect(response.statusCode).toBe(409);
    expect(bodyOf(response).message).toBe(`no artifact version of ${REPO} ${C1.slice(0, 7)} was recorded in integration: push the commit again to build it`);
    expect(world.workflows.promotions).toEqual([]);
  });

  it.each([
    ['nothing accepted below', { environment: 'production' }, 409, /^nothing to promote into production/],
    ['a continuous environment', { environment: 'integration' }, 409, /continuous environment/],
    ['an unknown repository', { environment: 'preproduction', repositories: ['nope'] }, 404, /unknown repository "nope"/],
    ['an unknown field', { environment: 'preproduction', only: ['x'] }, 400, /invalid body/],
  ])('refuses %s before starting anything', async (_case, body, status, message) => {
    const response = await call(post.promotion(body));

    expect(response.statusCode).toBe(status);
    expect(bodyOf(response).message).toMatch(message);
    expect(world.workflows.promotions).toEqual([]);
  });

  it.each([
    ['no accepted promotion', { environment: 'preproduction' }, 409, /^nothing to roll back: no accepted promotion in preproduction/],
    ['"to" without a repository', { environment: 'preproduction', to: C1 }, 400, /"to" needs a repository/],
  ])('refuses a product rollback with %s', async (_case, body, status, message) => {
    const response = await call(post.rollback(body));

    expect(response.statusCode).toBe(status);
    expect(bodyOf(response).message).toMatch(message);
  });

  it('adds the product row to the board', async () => {
    await world.seed.acceptedInIntegration(REPO, C1);
    const { releases, pushes, promotions } = world.stores;
    const operations = new ReleaseOperations({ config, releases, pushes, promotions, workflows: world.workflows, clock: world.clock, approvals: world.approvals });

    const board = bodyOf(await operatorApiHandler({ operations, products: world.products, logger, metrics: new DeliveryMetrics({ config, metrics: world.stores.metrics, clock: world.clock }) })(event(get.status())));

    expect(board.product).toEqual({
      name: config.product,
      environments: {
        integration: { releaseId: null, acceptedAt: null, waiting: [], changesWaiting: 0 },
        preproduction: { releaseId: null, acceptedAt: null, waiting: [REPO], changesWaiting: 1 },
        production: { releaseId: null, acceptedAt: null, waiting: [], changesWaiting: 0 },
      },
    });
  });
});
