import { createHash } from 'node:crypto';
import type { PushRecord } from './cmdb';
import type { DeliveryStore, PushStore } from './cmdb-stores';
import type { EnvironmentChain } from './environment-chain';
import type { Clock, ContinuousInput, WorkflowEngine } from './ports';
import type { PushEvent, WebhookOutcome } from './webhooks';

/** What the webhook answers (docs/architecture.md#webhooks): 202 with one of these, or 200 for a ping. */
export type IntakeStatus = 'started' | 'duplicate' | 'ignored';

/** What became of one ref of a delivery (Bitbucket sends several per delivery, the others one). */
export interface RefResult {
  readonly refKind: PushEvent['refKind'];
  readonly ref: string;
  readonly commit: string;
  readonly status: IntakeStatus;
  readonly reason?: string;
  /** The continuous environment a started (or duplicate) push goes to. */
  readonly environment?: string;
  readonly executionName?: string;
}

export type IntakeResult =
  | { readonly kind: 'ping'; readonly repository?: string; readonly deliveryId?: string }
  | {
      readonly kind: 'handled';
      /** started when any ref started a workflow, else duplicate when any was a redelivery, else ignored. */
      readonly status: IntakeStatus;
      readonly repository?: string;
      readonly deliveryId?: string;
      /** Why nothing started, when nothing did. */
      readonly reason?: string;
      readonly refs: readonly RefResult[];
    };

export interface WebhookIntakeDeps {
  readonly deliveries: DeliveryStore;
  readonly pushes: Pick<PushStore, 'claimAndRecordPush' | 'recordTag'>;
  readonly workflows: Pick<WorkflowEngine, 'startContinuous'>;
  readonly clock: Clock;
  readonly chain: EnvironmentChain;
}

/** A verified delivery: `readWebhook`'s outcome once rejections have been answered. */
export type VerifiedOutcome = Exclude<WebhookOutcome, { kind: 'rejected' }>;

/**
 * Acts on a verified webhook delivery: a push of a continuous environment's branch is recorded and
 * starts the continuous workflow; a tag push records tag -> commit; everything else is ignored with a
 * reason. No build work happens here: the answer must leave well within a second.
 *
 * The answer waits for one CMDB write and one StartExecution: the claim of (delivery id, ref) and the
 * push are one transaction. Redeliveries are no-ops twice over: the claim's condition answers
 * `duplicate` with nothing written, and the execution name derived from the same facts makes Step
 * Functions refuse a second execution should two identical deliveries race past the claim.
 */
export class WebhookIntake {
  constructor(private readonly deps: WebhookIntakeDeps) {}

  async receive(outcome: VerifiedOutcome): Promise<IntakeResult> {
    switch (outcome.kind) {
      case 'ping':
        return { kind: 'ping', ...context(outcome) };
      case 'ignored':
        return { kind: 'handled', status: 'ignored', ...context(outcome), reason: outcome.reason, refs: [] };
      case 'push': {
        const refs: RefResult[] = [];
        // One after another, each under its own claim: if a dependency fails mid-way, the failing ref's
        // claim is released, so a redelivery finds the refs done before it and handles the rest.
        for (const event of outcome.events) refs.push(await this.handle(event));
        return summarise(outcome, refs);
      }
    }
  }

  private async handle(event: PushEvent): Promise<RefResult> {
    const base = { refKind: event.refKind, ref: event.ref, commit: event.commit };
    if (event.deleted) return { ...base, status: 'ignored', reason: `${event.refKind} ${event.ref} was deleted: nothing to deploy` };
    if (event.refKind === 'tag') return this.tag(event, base);
    const environment = this.deps.chain.continuousFor(event.ref);
    if (!environment) return { ...base, status: 'ignored', reason: `branch ${event.ref} is not tracked: ${this.tracked()}` };

    const executionName = continuousExecutionName(event.provider, event.deliveryId, event.ref);
    const target = { ...base, environment: environment.name, executionName };
    const now = this.deps.clock.now();
    // The one write of the answer: the claim and the push in one transaction (docs/architecture.md#webhooks).
    const recorded = await this.deps.pushes.claimAndRecordPush({ provider: event.provider, deliveryId: deliveryRefKey(event), at: now }, pushRecord(event, now));
    if (!recorded.claimed) return { ...target, status: 'duplicate', reason: 'this delivery was already received' };
    try {
      return await this.start(event, environment.name, target);
    } catch (error) {
      // Nothing started: let the git host's retry of this delivery be handled rather than called a duplicate.
      await this.deps.deliveries.releaseDelivery(event.provider, deliveryRefKey(event)).catch(() => undefined);
      throw error;
    }
  }

  private async start(event: PushEvent, environment: string, target: Omit<RefResult, 'status'> & { executionName: string }): Promise<RefResult> {
    const input: ContinuousInput = {
      repository: event.repository,
      environment,
      branch: event.ref,
      commit: event.commit,
      message: event.message,
      author: event.author,
      requestedBy: `push:${event.provider}:${event.deliveryId}`,
    };
    const { started } = await this.deps.workflows.startContinuous(input, target.executionName);
    return started ? { ...target, status: 'started' } : { ...target, status: 'duplicate', reason: 'the workflow of this delivery already exists' };
  }

  /** Tags are claimed too: a late redelivery of an old tag push must not move a tag back. */
  private async tag(event: PushEvent, base: Pick<RefResult, 'refKind' | 'ref' | 'commit'>): Promise<RefResult> {
    const now = this.deps.clock.now();
    if (!(await this.claim(event, now))) return { ...base, status: 'duplicate', reason: 'this delivery was already received' };
    await this.deps.pushes.recordTag(event.repository, event.ref, event.commit, now.toISOString());
    return { ...base, status: 'ignored', reason: `tag ${event.ref} recorded -> ${event.commit}` };
  }

  /** One claim per ref of a delivery: a Bitbucket delivery carries several changes under one id. */
  private claim(event: PushEvent, now: Date): Promise<boolean> {
    return this.deps.deliveries.claimDelivery(event.provider, deliveryRefKey(event), now);
  }

  private tracked(): string {
    const continuous = this.deps.chain.continuous;
    if (continuous.length === 0) return 'no environment is continuous';
    return continuous.map((env) => `${env.name} tracks ${env.branch}`).join(', ');
  }
}

/** What the CMDB records of a pushed branch: order comes from what the host says (docs/architecture.md#commit-order), never from arrival. */
function pushRecord(event: PushEvent, now: Date): PushRecord {
  return {
    repository: event.repository,
    branch: event.ref,
    commit: event.commit,
    message: event.message,
    author: event.author,
    pushedAt: now.toISOString(),
    ...(event.pushedAt ? { hostPushedAt: event.pushedAt } : {}),
    ...(event.before ? { before: event.before } : {}),
    ...(event.forced ? { forced: true } : {}),
    ...(event.ancestors ? { ancestors: event.ancestors } : {}),
  };
}

/**
 * The delivery key of one ref. Delivery ids never contain '#' (readWebhook checks them), so the first
 * '#' separates id and ref unambiguously; the full ref keeps branch `v1` and tag `v1` apart.
 */
export function deliveryRefKey(event: Pick<PushEvent, 'deliveryId' | 'refKind' | 'ref'>): string {
  return `${event.deliveryId}#refs/${event.refKind === 'branch' ? 'heads' : 'tags'}/${event.ref}`;
}

/**
 * Step Functions execution name of the continuous run of one pushed branch of one delivery: 1-80 of
 * `[A-Za-z0-9_-]`. A readable, sanitised `<provider>-<delivery id>-<branch>` prefix for the console,
 * then a hash of the exact facts: the prefix alone is ambiguous (ids and branches both contain '-'),
 * the hash keeps two different deliveries or branches from ever sharing a name.
 */
export function continuousExecutionName(provider: string, deliveryId: string, branch: string): string {
  const hash = createHash('sha256').update(`${provider}\0${deliveryId}\0${branch}`).digest('hex').slice(0, 16);
  const prefix = `${provider}-${deliveryId}-${branch}`.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').slice(0, 80 - hash.length - 1);
  return `${prefix}-${hash}`;
}

/**
 * The name of a repository's webhook secret: the stack creates it and hands the name to the handler. On
 * AWS the stack name leads (`<stack>/webhook/<repository>`), as two stacks of one product may share an
 * account and region; local mode, one per data folder, names it after the product.
 */
export function webhookSecretName(product: string, repository: string, stackName?: string): string {
  return `${stackName ?? product}/webhook/${repository}`;
}

function context(outcome: { repository?: string; deliveryId?: string }) {
  return {
    ...(outcome.repository === undefined ? {} : { repository: outcome.repository }),
    ...(outcome.deliveryId === undefined ? {} : { deliveryId: outcome.deliveryId }),
  };
}

function summarise(outcome: Extract<VerifiedOutcome, { kind: 'push' }>, refs: RefResult[]): IntakeResult {
  const status: IntakeStatus = refs.some((ref) => ref.status === 'started')
    ? 'started'
    : refs.some((ref) => ref.status === 'duplicate')
      ? 'duplicate'
      : 'ignored';
  const reason = status === 'started' ? undefined : refs.map((ref) => ref.reason).filter(Boolean).join('; ');
  return { kind: 'handled', status, ...context(outcome), ...(reason ? { reason } : {}), refs };
}
