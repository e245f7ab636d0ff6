import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { JavaMissingError, startDynamoDbLocal } from '../../../adapters/local/dynamodb/dynamodb-local';
import { isRunning } from '../../support/processes';
import { tempDir } from '../../support/temp-dir';

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

  it('keeps its copy of SQLite\'s library in its scratch folder, which is gone once stopped, even when Java was killed', async () => {
    // Prepare: a temporary folder of this test's own (TMPDIR), where the scratch folder is made.
    const scratch = tempDir('ddb-tmp');
    const tmpDir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const dynamo = await startDynamoDbLocal().finally(() => restore('TMPDIR', tmpDir));
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    let stopped = false;
    try {
      // Act: the first request that reads tables loads the library (Java copies it into its temporary
      // folder); then Java is killed, as the watcher of a process that died kills it (a SIGTERM would
      // let Java delete the copy itself).
      const listed = await client.send(new ListTablesCommand({}));
      const copies = readdirSync(scratch).flatMap((dir) => readdirSync(join(scratch, dir)).filter((name) => name.endsWith('libsqlite4java.so')));
      const exited = new Promise((done) => dynamo.process.once('exit', done));
      dynamo.process.kill('SIGKILL');
      await exited;
      await dynamo.stop();
      stopped = true;

      // Assess: the copy was made in the scratch folder, not in Java's default /tmp, and nothing is left.
      expect(listed.TableNames).toEqual([]);
      expect(copies).toHaveLength(1);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      client.destroy();
      // Stopped once only: its process groups' ids may be someone else's by now.
      if (!stopped) await dynamo.stop();
    }
  }, 60_000);
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
