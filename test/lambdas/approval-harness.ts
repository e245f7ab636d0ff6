import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OutboxMailer } from '../../adapters/local/outbox-mailer';
import { EmailApprovalNotifier, type SentLink } from '../../core/approval-notifier';
import { Approvals } from '../../core/approvals';
import type { Approval, Release } from '../../core/cmdb';
import { ReleaseConfig } from '../../core/config';
import { EnvironmentChain } from '../../core/environment-chain';
import { newReleaseId } from '../../core/ids';
import type { Clock, ContinuousInput, PromotionInput, WorkflowEngine } from '../../core/ports';
import type { ApprovalGate } from '../../core/release-lifecycle';
import { approvalPageHandler } from '../../lambdas/approval-page';
import { createTestCmdb, type TestCmdb } from '../support/dynamo';
import { tempDir } from '../support/temp-dir';

/** Shared by the approval page, email and browser tests: a config, a workflow double, a pending approval. */

export const SIGNING_KEY = 'test-signing-key-0123456789abcdef';
export const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const PREVIOUS = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

export const config = ReleaseConfig.parse({
  product: 'sample-service',
  repositories: [{ name: 'sample-service', provider: 'github', url: 'https://github.com/acme/sample-service' }],
  environments: [
    { name: 'integration', mode: 'continuous', branch: 'main' },
    { name: 'preproduction', mode: 'approval', approvers: ['qa@example.com'] },
    { name: 'production', mode: 'approval', approvers: ['rm@example.com', 'cto@example.com'], approveBeforeDeploy: true },
  ],
  notifications: { from: 'releases@example.com' },
});

/** Step Functions as the approval page sees it: records every task answer, starts nothing. */
export class RecordingWorkflows implements WorkflowEngine {
  readonly successes: Array<{ taskToken: string; output: unknown }> = [];
  readonly failures: Array<{ taskToken: string; error: string; cause: string }> = [];

  get calls(): number {
    return this.successes.length + this.failures.length;
  }

  async startContinuous(_input: ContinuousInput, _name: string): Promise<never> {
    throw new Error('the approval page never starts a workflow');
  }

  async startPromotion(_input: PromotionInput, _name: string): Promise<never> {
    throw new Error('the approval page never starts a workflow');
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    // Yield first, so that racing callers interleave as they would over the network.
    await new Promise((resolve) => setImmediate(resolve));
    this.successes.push({ taskToken, output });
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.failures.push({ taskToken, error, cause });
  }
}

export class TestClock implements Clock {
  constructor(private time: number = Date.UTC(2026, 4, 1, 9, 0)) {}

  now(): Date {
    return new Date(this.time);
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

export interface Fixture {
  readonly db: TestCmdb;
  readonly workflows: RecordingWorkflows;
  readonly clock: TestClock;
  readonly approvals: Approvals;
  readonly outbox: string;
  readonly sent: SentLink[];
  /** Points the emailed links at a server once it listens. */
  baseUrl: string;
  readonly handler: ReturnType<typeof approvalPageHandler>;
  /**
   * A release of COMMIT into `environment` waiting at `gate`, with PREVIOUS running and accepted there;
   * `token` is the `t` of the link emailed to the first approver.
   */
  pending(options?: { environment?: string; gate?: ApprovalGate; timeoutSeconds?: number }): Promise<{ approval: Approval; release: Release; token: string }>;
}

/** A CMDB on DynamoDB Local with COMMIT pushed, Approvals wired to the outbox, and the page handler. */
export async function createFixture(options: { config?: ReleaseConfig; outbox?: string } = {}): Promise<Fixture> {
  const cfg = options.config ?? config;
  const db = await createTestCmdb(cfg.product);
  const workflows = new RecordingWorkflows();
  const clock = new TestClock();
  const outbox = options.outbox ?? join(tempDir('outbox'), 'outbox');
  const sent: SentLink[] = [];
  const signingKey = async () => SIGNING_KEY;
  const notifier = new EmailApprovalNotifier({
    mailer: new OutboxMailer({ dir: outbox, clock }),
    releases: db.releases,
    pushes: db.pushes,
    config: cfg,
    signingKey,
    baseUrl: () => fixture.baseUrl,
    onLinkSent: (link) => sent.push(link),
  });
  const approvals = new Approvals({ releases: db.releases, approvals: db.approvals, workflows, clock, chain: new EnvironmentChain(cfg), notifier });
  const fixture: Fixture = {
    db,
    workflows,
    clock,
    outbox,
    sent,
    baseUrl: 'http://127.0.0.1:3000',
    approvals,
    handler: approvalPageHandler({ approvals, releases: db.releases, pushes: db.pushes, config: cfg, signingKey, clock }),
    async pending({ environment = 'production', gate = 'approve_deploy', timeoutSeconds = 3600 } = {}) {
      const at = clock.now().toISOString();
      await db.pushes.recordPush({ repository: 'sample-service', branch: 'main', commit: COMMIT, message: 'Make <checkout> "faster" & safer\n\nSecond line.', author: 'Dev One <dev@example.com>', pushedAt: at });
      await deployAndAccept(db, environment, PREVIOUS, at);
      const release = await db.releases.createRelease({ releaseId: newReleaseId(clock.now()), repository: 'sample-service', environment, commit: COMMIT, kind: 'release', requestedBy: 'alice@example.com', createdAt: at });
      if (gate === 'accept') {
        // The accept gate comes after the deploy and the tests: the release is testing, its commit runs there.
        await db.releases.transitionRelease(release.releaseId, 'deploying', { by: 'system', at });
        await db.releases.recordDeployment(release.releaseId, { by: 'system', at });
      }
      const before = sent.length;
      const approval = await approvals.request({ taskToken: `task-token-${release.releaseId}`, gate, releaseId: release.releaseId, timeoutSeconds });
      // Links go out in parallel: pick the first approver's, whatever order they were sent in.
      const link = sent.slice(before).find((item) => item.approval.approvalId === approval.approvalId && item.approver === approval.approvers[0]);
      const token = new URL(link?.url ?? 'http://x/').searchParams.get('t') ?? '';
      return { approval, release: (await db.releases.getRelease(release.releaseId)) as Release, token };
    },
  };
  return fixture;
}

/** Puts `commit` into the environment and accepts it there, as an earlier release would have. */
async function deployAndAccept(db: TestCmdb, environment: string, commit: string, at: string): Promise<void> {
  const entry = await db.releases.boardCell('sample-service', environment);
  if (entry?.acceptedCommit === commit) return;
  const earlier = await db.releases.createRelease({ releaseId: newReleaseId(new Date(Date.parse(at) - 60_000)), repository: 'sample-service', environment, commit, kind: 'release', requestedBy: 'bob@example.com', createdAt: at });
  await db.releases.transitionRelease(earlier.releaseId, 'deploying', { by: 'system', at });
  await db.releases.recordDeployment(earlier.releaseId, { by: 'system', at });
  await db.releases.markAccepted(earlier.releaseId, { by: 'qa@example.com', at });
}

/** The API Gateway REST proxy event of a request to the approval page. */
export function pageEvent(
  method: string,
  approvalId: string,
  options: { query?: Record<string, string>; form?: Record<string, string>; json?: boolean; body?: string; contentType?: string } = {},
): APIGatewayProxyEvent {
  const body = options.body ?? (options.form ? new URLSearchParams(options.form).toString() : null);
  const headers: Record<string, string> = {
    Accept: options.json ? 'application/json' : 'text/html,application/xhtml+xml',
    ...(body === null ? {} : { 'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded' }),
  };
  return {
    httpMethod: method,
    path: `/approvals/${approvalId}`,
    resource: '/approvals/{id}',
    pathParameters: { id: approvalId },
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    headers,
    multiValueHeaders: {},
    body,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

/** A minimal RFC 5322 / MIME reader for the outbox files: headers, and each part decoded. */
export interface ParsedEmail {
  readonly headers: Record<string, string>;
  readonly parts: Array<{ headers: Record<string, string>; body: string }>;
}

export function parseEml(source: string): ParsedEmail {
  const [head, rest] = splitOnce(source, '\r\n\r\n');
  const headers = parseHeaders(head);
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) throw new Error('no multipart boundary');
  const sections = rest.split(`--${boundary}`);
  if (!sections.at(-1)?.startsWith('--')) throw new Error('no closing boundary');
  const parts = sections.slice(1, -1).map((section) => {
    const [partHead, partBody] = splitOnce(section.replace(/^\r\n/, ''), '\r\n\r\n');
    const partHeaders = parseHeaders(partHead);
    const encoded = partBody.replace(/\r\n$/, '');
    const body =
      partHeaders['content-transfer-encoding'] === 'quoted-printable'
        ? Buffer.from(decodeQuotedPrintable(encoded), 'latin1').toString('utf8')
        : Buffer.from(encoded, 'base64').toString('utf8');
    return { headers: partHeaders, body };
  });
  return { headers, parts };
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  if (index < 0) throw new Error(`no ${JSON.stringify(separator)}`);
  return [text.slice(0, index), text.slice(index + separator.length)];
}

function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** RFC 2047 `B` words back to text. */
export function decodeHeader(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_match, b64: string) => Buffer.from(b64, 'base64').toString('utf8')).trim();
}

export async function outboxFiles(dir: string): Promise<Array<{ name: string; source: string }>> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.eml')).sort();
  return Promise.all(names.map(async (name) => ({ name, source: await readFile(join(dir, name), 'utf8') })));
}
