import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JavaMissingError, startDynamoDbLocal } from '../../../adapters/local/dynamodb/dynamodb-local';
import { isRunning } from '../../support/processes';

describe('DynamoDB Local', () => {
  it('says how to install Java when there is no `java` to spawn, and leaves nothing behind', async () => {
    // Prepare: a PATH without java.
    const empty = mkdtempSync(join(tmpdir(), 'cot-no-java-'));
    const path = process.env.PATH;
    process.env.PATH = empty;
    try {
      // Act
      const started = startDynamoDbLocal();

      // Assess
      await expect(started).rejects.toBeInstanceOf(JavaMissingError);
      await expect(started).rejects.toThrow(/needs Java 17 or newer, and no `java` was found on PATH/);
    } finally {
      process.env.PATH = path;
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('stops Java and leaves no timer waiting for it', async () => {
    // Prepare
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const dynamo = await startDynamoDbLocal();
    const pid = dynamo.process.pid!;
    const before = timers();

    // Act
    await dynamo.stop();

    // Assess: Java is gone, and no timer of ours is left waiting for it (vitest's end and a stopping
    // `cot local` would wait for that timer).
    expect(isRunning(pid)).toBe(false);
    expect(timers()).toBe(before);
  }, 60_000);
});
