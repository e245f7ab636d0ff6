import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sign } from '@octokit/webhooks-methods';
import examples from '@octokit/webhooks-examples';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { cmdbCreateTableInput } from '../adapters/aws/cmdb-table-input';
import { dynamoCmdbStores } from '../adapters/aws/dynamo-cmdb-stores';
import { startDynamoDbLocal } from '../adapters/local/dynamodb/dynamodb-local';
import { ReleaseConfig } from '../core/config';
import { systemClock, type WorkflowEngine } from '../core/ports';
import { webhookHandler } from '../lambdas/webhook';

/**
 * The webhook handler's in-process time for a signed GitHub push of the tracked branch: verify, claim
 * the delivery, record the push (two writes) and start the workflow, with the CMDB on DynamoDB Local.
 * Every request has its own delivery id, so each one takes the full path. The workflow engine only
 * records starts: Step Functions' own latency is not ours to measure here.
 */
const RUNS = 200;
const WARM_UP = 20;
const SECRET = 'bench-webhook-secret';

const config = ReleaseConfig.parse({
  product: 'bench',
  repositories: [{ name: 'hello-world', provider: 'github', url: 'https://github.com/Codertocat/Hello-World' }],
  environments: [{ name: 'integration', mode: 'continuous', branch: 'master' }],
  notifications: { from: 'releases@example.com' },
});

/** GitHub's own example of a push to master. */
function pushBody(): string {
  const push = examples.find((definition) => definition.name === 'push')?.examples.find((example) => (example as { ref?: string }).ref === 'refs/heads/master');
  if (!push) throw new Error('@octokit/webhooks-examples has no push to master');
  return JSON.stringify(push);
}

async function signedEvent(body: string): Promise<APIGatewayProxyEvent> {
  return {
    body,
    isBase64Encoded: false,
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': randomUUID(), 'X-Hub-Signature-256': await sign(SECRET, body) },
    pathParameters: { provider: 'github' },
  } as unknown as APIGatewayProxyEvent;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function run(): Promise<string> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dynamo = await startDynamoDbLocal();
  try {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const tableName = `cmdb-bench-${randomUUID()}`;
    await client.send(new CreateTableCommand(cmdbCreateTableInput(tableName)));
    const { deliveries, pushes } = dynamoCmdbStores(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName, config.product);

    let started = 0;
    const workflows: WorkflowEngine = {
      startContinuous: async (_input, executionName) => (started++, { started: true, executionId: executionName }),
      startPromotion: async () => Promise.reject(new Error('not used')),
      sendTaskSuccess: async () => undefined,
      sendTaskFailure: async () => undefined,
    };
    const handle = webhookHandler({
      config,
      deliveries,
      pushes,
      workflows,
      secrets: { get: async () => SECRET },
      clock: systemClock,
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    });

    const body = pushBody();
    const events = await Promise.all(Array.from({ length: WARM_UP + RUNS }, () => signedEvent(body)));
    const times: number[] = [];
    for (const [index, event] of events.entries()) {
      const start = performance.now();
      const answer = await handle(event);
      const elapsed = performance.now() - start;
      if (answer.statusCode !== 202) throw new Error(`expected 202, got ${answer.statusCode}: ${answer.body}`);
      if (index >= WARM_UP) times.push(elapsed);
    }
    if (started !== WARM_UP + RUNS) throw new Error(`expected ${WARM_UP + RUNS} starts, got ${started}`);

    times.sort((a, b) => a - b);
    return `median ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms (n=${RUNS}, signed GitHub push, DynamoDB Local)`;
  } finally {
    await dynamo.stop();
  }
}

export const webhookBench = { name: 'webhook handler', run };
