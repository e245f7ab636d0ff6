import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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

  it('leaves nothing in the temporary folders, even when Java was killed', async () => {
    // Prepare: a temporary folder of this test's own (TMPDIR) and the copies of SQLite's native library
    // already in Java's, which is /tmp on Linux whatever TMPDIR says.
    const javaTmp = '/tmp';
    const copies = () => readdirSync(javaTmp).filter((name) => name.endsWith('libsqlite4java.so'));
    const before = new Set(copies());
    const scratch = mkdtempSync(join(tmpdir(), 'cot-ddb-tmp-'));
    const tmpDir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    try {
      // Act
      const dynamo = await startDynamoDbLocal();
      // SQLite's library is loaded by the first request that reads tables.
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const listed = await client.send(new ListTablesCommand({}));
      client.destroy();
      // Killed as the watcher of a process that died kills it (a stop by SIGTERM lets Java delete its copy).
      const exited = new Promise((done) => dynamo.process.once('exit', done));
      dynamo.process.kill('SIGKILL');
      await exited;
      await dynamo.stop();

      // Assess: it answered; its scratch folder is gone, and no copy of the library was left in Java's folder.
      expect(listed.TableNames).toEqual([]);
      expect(readdirSync(scratch)).toEqual([]);
      expect(copies().filter((name) => !before.has(name))).toEqual([]);
    } finally {
      if (tmpDir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpDir;
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
