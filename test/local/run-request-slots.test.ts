import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { LocalWiring } from '../../local/local-wiring';

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
});
