import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';
import { loadConfig } from '../core/config-file';
import { LocalWiring } from '../local/local-wiring';

/** The write requests DynamoDB bills: one per call, a transaction or a batch counting once. */
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);
const GOAL = 12;

/**
 * DynamoDB write requests of one promoted release, counted by a middleware on local mode's CMDB client
 * over a real run: a push is built and deployed to integration, then released to preproduction (accepted
 * by its approver) and to production (approved before deploy, then accepted). Each promotion counts from
 * the operator's request to its workflow's end.
 */
async function bench(): Promise<string> {
  const dynamo = await startDynamoDbLocal();
  const dataDir = mkdtempSync(join(tmpdir(), 'cot-bench-writes-'));
  try {
    const config = loadConfig('release.config.yaml');
    // Both of local mode's CMDB clients: the requests' (the webhook's) and the runs'.
    const clients: DynamoDBClient[] = [];
    const wiring = await LocalWiring.create({ config, dataDir, dynamoEndpoint: dynamo.endpoint, tableName: `cmdb-${randomUUID()}`, retryIntervalOverrides: { Claim: 200 }, observe: { client: (client) => void clients.push(client) } });
    let writes = 0;
    for (const client of clients) {
      client.middlewareStack.add(
        (next, context) => (args) => {
          if (WRITES.has(String(context.commandName))) writes += 1;
          return next(args);
        },
        { step: 'build', name: 'countWrites' },
      );
    }
    const repo = wiring.repositoryDir('sample-service');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    cpSync('examples/sample-service', repo, { recursive: true, filter: (source) => !source.includes('node_modules') && !source.endsWith('/dist') });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'Initial commit');
    const commit = git('rev-parse', 'HEAD');
    const pushedAt = new Date().toISOString();
    // What the webhook writes before it answers; the head moves in the run.
    await wiring.stores.pushes.claimAndRecordPush({ provider: 'github', deliveryId: 'bench-1', at: new Date() }, { repository: 'sample-service', branch: 'main', commit, message: 'Initial commit', author: 'Bench <bench@example.com>', pushedAt, hostPushedAt: pushedAt });
    const pushWrites = writes;
    writes = 0;
    const continuous = await wiring.workflows.startContinuous(
      { repository: 'sample-service', environment: 'integration', branch: 'main', commit, message: 'Initial commit', author: 'Bench <bench@example.com>', requestedBy: 'push:bench:1' },
      `bench-${commit}`,
    );
    const integration = await wiring.workflows.execution('continuous', continuous.executionId)!.result;
    if (integration.status !== 'SUCCEEDED') throw new Error(`the continuous run ended ${integration.status}`);
    const continuousWrites = writes;

    const { operations } = wiring.handlers.operatorApi();
    const promote = async (environment: string, gates: Array<'approve_deploy' | 'accept'>) => {
      writes = 0;
      const { releaseId } = await operations.prepareRelease({ repository: 'sample-service', environment, ref: commit, requestedBy: 'bench' });
      for (const gate of gates) {
        const approval = await until(async () => (await wiring.stores.releases.board()).pendingApprovals.find((pending) => pending.releaseId === releaseId && pending.gate === gate));
        await wiring.approvals.decide({ approvalId: approval.id, decision: 'approve', by: 'bench', via: 'api' });
      }
      const release = await until(async () => {
        const found = await wiring.stores.releases.getRelease(releaseId);
        return found && ['accepted', 'failed', 'rejected', 'rolled_back', 'superseded'].includes(found.state) ? found : undefined;
      });
      if (release.state !== 'accepted') throw new Error(`the ${environment} release ended ${release.state}`);
      // The workflow's last states (notification) may still run: wait until it ends.
      await Promise.all(wiring.workflows.executions('promotion').map((execution) => execution.result));
      return writes;
    };
    const preproduction = await promote('preproduction', ['accept']);
    const production = await promote('production', ['approve_deploy', 'accept']);
    return `preproduction ${preproduction}, production ${production} (goal <= ${GOAL} each); the webhook's push ${pushWrites}, the continuous run to integration ${continuousWrites}`;
  } finally {
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const writesBench = { name: 'DynamoDB write requests per promoted release', run: bench };
