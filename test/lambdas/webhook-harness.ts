import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ReleaseConfig, type RepositoryConfig } from '../../core/config';
import type { PushStore } from '../../core/cmdb-stores';
import type { ContinuousInput, PromotionInput, SecretStore, WorkflowEngine } from '../../core/ports';
import type { WebhookLogger } from '../../lambdas/webhook';
import { repositories, secretOf, type Request } from '../core/webhooks/webhook-requests';

/** Shared by the webhook intake and handler tests: a workflow engine double, a config, API Gateway events. */

export const PRODUCT = 'acme';

/** The test repositories of core/webhooks, with one continuous environment tracking `branch`. */
export function configTracking(branch: string, repos: readonly RepositoryConfig[] = repositories): ReleaseConfig {
  return ReleaseConfig.parse({
    product: PRODUCT,
    repositories: repos,
    environments: [
      { name: 'integration', mode: 'continuous', branch },
      { name: 'production', mode: 'approval', approvers: ['rm@example.com'] },
    ],
    notifications: { from: 'releases@example.com' },
  });
}

/**
 * Records every execution it starts and, like Step Functions, refuses a second execution of a name
 * (`started: false`) and a name outside 1-80 of `[A-Za-z0-9_-]`. The real continuous workflow is
 * exercised by its own tests; here only what was started, and how often, matters.
 */
export class RecordingEngine implements WorkflowEngine {
  readonly starts: Array<{ input: ContinuousInput; name: string }> = [];
  private readonly names = new Set<string>();

  /**
   * @param pushes given, each run it starts begins at once as the continuous workflow's first step does:
   * the branch head moves to its commit when that is newer (`PushStore.advanceHead`).
   */
  constructor(private readonly pushes?: Pick<PushStore, 'advanceHead'>) {}

  async startContinuous(input: ContinuousInput, executionName: string) {
    // Yield first, so that racing callers interleave as they would over the network.
    await new Promise((resolve) => setImmediate(resolve));
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(executionName)) throw Object.assign(new Error(`Invalid Name: '${executionName}'`), { name: 'InvalidName' });
    if (this.names.has(executionName)) return { started: false, executionId: executionName };
    this.names.add(executionName);
    this.starts.push({ input, name: executionName });
    await this.pushes?.advanceHead(input.repository, input.branch, input.commit);
    return { started: true, executionId: executionName };
  }

  async startPromotion(_input: PromotionInput, _executionName: string): Promise<never> {
    throw new Error('a webhook never starts a promotion');
  }

  async sendTaskSuccess(): Promise<never> {
    throw new Error('a webhook never answers a task');
  }

  async sendTaskFailure(): Promise<never> {
    throw new Error('a webhook never answers a task');
  }
}

/** Secrets under the names the stack gives (`acme/webhook/<repo>`), with the values the requests are signed with. */
export const secretStore: SecretStore & { reads: string[] } = {
  reads: [],
  async get(name) {
    secretStore.reads.push(name);
    const prefix = `${PRODUCT}/webhook/`;
    if (!name.startsWith(prefix)) throw new Error(`no secret named ${name}`);
    return secretOf(name.slice(prefix.length));
  },
};

/** Keeps what the handler logs, to check that no body or signature gets there. */
export function recordingLogger(): WebhookLogger & { lines: unknown[] } {
  const lines: unknown[] = [];
  const keep = (...args: unknown[]) => void lines.push(args);
  return { lines, info: keep, warn: keep, error: keep };
}

/** Header names as the hosts spell them: the handler must not care. */
function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** The API Gateway REST proxy event of a request; binary bodies arrive base64-encoded, as API Gateway sends them. */
export function apiEvent(request: Request, options: { base64?: boolean } = {}): APIGatewayProxyEvent {
  const binary = typeof request.body !== 'string';
  const base64 = options.base64 ?? binary;
  const body = base64 ? Buffer.from(request.body).toString('base64') : String(request.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[titleCase(name)] = value;
  return {
    resource: '/webhooks/{provider}',
    path: `/webhooks/${request.provider}`,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { provider: request.provider },
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body,
    isBase64Encoded: base64,
  };
}

export function bodyOf(response: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}
