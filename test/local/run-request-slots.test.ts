import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { ForegroundRequests } from '../../local/foreground-requests';
import { LocalWiring, type LocalObserver } from '../../local/local-wiring';
import { eventually } from '../support/eventually';
import { localHarness } from '../support/local-harness';

/** Counts how many requests a client has in flight at most. */
function inFlight(client: DynamoDBClient) {
  const seen = { now: 0, most: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.now += 1;
      seen.most = Math.max(seen.most, seen.now);
      try {
        return await next(args);
      } finally {
        seen.now -= 1;
      }
    },
    // Below the slots (`priority: 'low'` in the same step, added later): what reaches DynamoDB Local.
    { step: 'finalizeRequest', priority: 'low', name: 'countInFlight' },
  );
  return seen;
}

describe('local mode: what the runs send the CMDB waits for a slot, what people wait for does not (DynamoDB Local)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cot-slots-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps at most two run requests in flight, and lets the others through at once', async () => {
    const clients: DynamoDBClient[] = [];
    const wiring = await LocalWiring.create({
      config: loadConfig('release.config.yaml'),
      dataDir,
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `cmdb-${randomUUID()}`,
      observe: { client: (client) => void clients.push(client) },
    });
    const [requests, runs] = clients.map(inFlight);

    await Promise.all(Array.from({ length: 20 }, (_, index) => wiring.runStores.releases.getRelease(`run-${index}`)));
    await Promise.all(Array.from({ length: 20 }, (_, index) => wiring.stores.releases.getRelease(`request-${index}`)));

    expect(runs!.most).toBe(2);
    expect(requests!.most).toBeGreaterThan(2);
  });

  it('holds a run request in its slot while a request people wait for is being answered, and lets theirs through', async () => {
    const clients: DynamoDBClient[] = [];
    const foreground = new ForegroundRequests(60_000);
    const wiring = await LocalWiring.create({
      config: loadConfig('release.config.yaml'),
      dataDir,
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `cmdb-${randomUUID()}`,
      foreground,
      observe: { client: (client) => void clients.push(client) },
    });
    const [, runs] = clients.map(inFlight);
    const answered = foreground.begin();
    let ran = false;
    const run = wiring.runStores.releases.getRelease('run-held').then(() => (ran = true));

    // A request people wait for makes its round trip to DynamoDB Local meanwhile.
    expect(await wiring.stores.releases.getRelease('request-meanwhile')).toBeUndefined();
    await nextTurn();
    expect(ran).toBe(false);
    expect(runs!.most).toBe(0);

    answered();
    await run;
    expect(runs!.most).toBe(1);
  });

  it("starts a run's step once the request that started it has been answered", async () => {
    const foreground = new ForegroundRequests(60_000);
    const steps: string[] = [];
    const observeSteps: LocalObserver['handler'] = (name, run) => (event) => {
      steps.push(name);
      return run(event);
    };
    const { release, push } = await localHarness({ foreground, observe: { handler: observeSteps } });
    const webhook = foreground.begin();
    await release.workflows.startContinuous(await push('held back'), 'held-back-step');

    await release.stores.releases.board();
    await nextTurn();
    expect(steps).toEqual([]);

    webhook();
    await eventually(() => steps.length > 0, { what: 'the first step' });
    expect(steps[0]).toBe('continuous-step');
  });
});
