import { describe, expect, it } from 'vitest';
import { Approvals } from '../../core/approvals';
import { ReleaseConfig } from '../../core/config';
import { EnvironmentChain } from '../../core/environment-chain';
import { FrozenError } from '../../core/freeze';
import { DeliveryMetrics } from '../../core/metrics';
import { ProductOperations } from '../../core/product-operations';
import { ReleaseOperations } from '../../core/release-operations';
import { operatorApiHandler } from '../../lambdas/operator-api';
import { createTestCmdb } from '../support/dynamo';
import { operatorEvent } from '../support/operator-event';
import { config as harnessConfig, PRODUCT, RecordingWorkflows, Seeder, sha, TickingClock } from './release-operations-harness';

/** Preproduction frozen around the harness clock's time (2030-01-01). */
const WINDOW = { from: '2029-12-31T00:00:00.000Z', to: '2030-01-02T00:00:00.000Z', reason: 'Year-end close' };
const config = ReleaseConfig.parse({
  ...harnessConfig,
  environments: harnessConfig.environments.map((env) => (env.name === 'preproduction' ? { ...env, freeze: [WINDOW] } : env)),
});
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/Operators/alice';
const [A, B] = [sha('a'), sha('b')];

/** Both repositories accepted in integration, preproduction frozen. */
async function frozenWorld() {
  const stores = await createTestCmdb(PRODUCT);
  const clock = new TickingClock();
  const workflows = new RecordingWorkflows();
  const approvals = new Approvals({ releases: stores.releases, approvals: stores.approvals, workflows, clock, chain: new EnvironmentChain(config) });
  const seed = new Seeder(stores.releases, stores.pushes, clock, approvals);
  await seed.acceptedInIntegration('sample-service', A, { artifactVersion: 'v-sample-service' });
  await seed.acceptedInIntegration('payments', B, { artifactVersion: 'v-payments' });
  const products = new ProductOperations({ config, releases: stores.releases, promotions: stores.promotions, workflows, clock });
  const operations = new ReleaseOperations({ config, releases: stores.releases, pushes: stores.pushes, promotions: stores.promotions, workflows, clock, approvals });
  return { stores, workflows, products, operations, metrics: new DeliveryMetrics({ config, metrics: stores.metrics, clock }) };
}

describe('a promotion into a frozen environment (DynamoDB Local)', () => {
  it('is refused with the window and its reason before anything is written; with an override it starts, and the promotion and each member record it', async () => {
    const world = await frozenWorld();

    // Act 1: no override (a blank one is none).
    const refusal = world.products.promote({ environment: 'preproduction', requestedBy: OPERATOR, override: '  ' }).catch((error: unknown) => error);

    // Assess 1: FrozenError naming the window; no promotion, no workflow.
    const error = await refusal;
    expect(error).toBeInstanceOf(FrozenError);
    expect((error as FrozenError).windows).toEqual([WINDOW]);
    expect((error as Error).message).toMatch(/^preproduction is frozen until 2030-01-02T00:00:00.000Z: Year-end close/);
    expect(world.workflows.promotions).toEqual([]);
    expect(await world.stores.promotions.acceptedSets()).toEqual([]);
    expect((await world.stores.releases.boardCell('payments', 'preproduction'))?.releaseId ?? null).toBeNull();

    // Act 2: with an override.
    const promoted = await world.products.promote({ environment: 'preproduction', requestedBy: OPERATOR, override: ' INC-42: the fix cannot wait ' });

    // Assess 2: started; the promotion and both members carry the override and say so in their first history row.
    expect(world.workflows.promotions.map((started) => started.name)).toEqual([promoted.releaseId]);
    const override = { reason: 'INC-42: the fix cannot wait', by: OPERATOR, windows: [WINDOW] };
    const promotion = await world.stores.releases.getRelease(promoted.releaseId);
    expect(promotion?.freezeOverride).toMatchObject(override);
    expect(promotion?.history[0]).toMatchObject({ state: 'prepared', detail: 'freeze overridden: INC-42: the fix cannot wait' });
    expect(promotion?.members?.map((member) => member.repository).sort()).toEqual(['payments', 'sample-service']);
    for (const member of promotion?.members ?? []) {
      const release = await world.stores.releases.getRelease(member.releaseId);
      expect(release).toMatchObject({ promotionId: promoted.releaseId, freezeOverride: override });
    }
  });

  it('leaves an environment with no window alone, and a rollback of a promotion is never frozen', async () => {
    const world = await frozenWorld();

    // Integration -> preproduction is frozen, but production is not: its refusal is about what is accepted below.
    const production = await world.products.promote({ environment: 'production', requestedBy: OPERATOR }).catch((error: unknown) => error);
    const rollback = await world.products.rollbackProduct({ environment: 'preproduction', requestedBy: OPERATOR }).catch((error: unknown) => error);

    expect(production).not.toBeInstanceOf(FrozenError);
    expect((production as Error).message).toMatch(/^nothing to promote into production/);
    expect(rollback).not.toBeInstanceOf(FrozenError);
    expect((rollback as Error).message).toMatch(/^nothing to roll back: no accepted promotion in preproduction/);
  });
});


describe('POST /api/promotions into a frozen environment', () => {
  it('answers 409 frozen with the window and its reason, refuses an empty override, and with one answers 202 and records it', async () => {
    const world = await frozenWorld();
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const api = operatorApiHandler({ operations: world.operations, products: world.products, metrics: world.metrics, logger });

    const refused = await api(operatorEvent('POST', '/api/promotions', { environment: 'preproduction' }, OPERATOR));
    const empty = await api(operatorEvent('POST', '/api/promotions', { environment: 'preproduction', override: '' }, OPERATOR));
    const started = await api(operatorEvent('POST', '/api/promotions', { environment: 'preproduction', override: 'INC-42' }, OPERATOR));

    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body)).toEqual({
      error: 'frozen',
      message: 'preproduction is frozen until 2030-01-02T00:00:00.000Z: Year-end close; to release anyway, pass an override saying why (cot release ... --override "why")',
    });
    expect(empty.statusCode).toBe(400);
    expect(started.statusCode).toBe(202);
    const { releaseId } = JSON.parse(started.body) as { releaseId: string };
    const shown = await world.operations.showRelease(releaseId);
    expect(shown.freezeOverride).toMatchObject({ reason: 'INC-42', by: OPERATOR });
    expect(world.workflows.promotions.map((run) => run.name)).toEqual([releaseId]);
  });
});
