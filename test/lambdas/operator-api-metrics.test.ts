import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeliveryMetrics } from '../../core/metrics';
import { operatorApiHandler } from '../../lambdas/operator-api';
import { config, createWorld, sha } from '../core/release-operations-harness';

function metricsEvent(query: Record<string, string> | null): APIGatewayProxyEvent {
  return {
    resource: '/api/metrics',
    path: '/api/metrics',
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/alice' } } as APIGatewayProxyEvent['requestContext'],
    body: null,
    isBase64Encoded: false,
  };
}

describe('GET /api/metrics', () => {
  let handler: ReturnType<typeof operatorApiHandler>;
  beforeAll(async () => {
    const world = await createWorld();
    await world.seed.acceptedInIntegration('sample-service', sha('one'));
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    handler = operatorApiHandler({ operations: world.operations, products: world.products, logger, metrics: new DeliveryMetrics({ config, metrics: world.stores.metrics, clock: world.clock }) });
  });

  it('answers the metrics of the environment asked for', async () => {
    const response = await handler(metricsEvent({ environment: 'integration', days: '3' }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ environment: 'integration', days: 3, deploymentFrequency: { deployments: 1 }, changeFailureRate: { failures: 0, rate: 0 } });
  });

  it('defaults to the last environment and 30 days', async () => {
    expect(JSON.parse((await handler(metricsEvent(null))).body)).toMatchObject({ environment: 'production', days: 30, deploymentFrequency: { deployments: 0 }, changeFailureRate: { rate: null } });
  });

  it.each([
    [{ days: '0' }, 400, 'invalid_request'],
    [{ days: '366' }, 400, 'invalid_request'],
    [{ days: 'week' }, 400, 'invalid_request'],
    [{ environment: 'staging' }, 404, 'not_found'],
  ])('refuses %j with %i', async (query, status, error) => {
    const response = await handler(metricsEvent(query));
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toMatchObject({ error });
  });
});
