import type { ContinuousInput, ProductInput, PromotionInput } from './workflow-contracts';

/** The workflows' inputs; defined, and parsed, in `workflow-contracts.ts`. */
export type { ContinuousInput, ProductInput, PromotionInput };

/**
 * Step Functions as the use cases see it. On AWS: StartExecution and SendTask*; in local mode: the local
 * workflow runner and its token registry. An execution name is unique per workflow: starting a second
 * one with the same name starts nothing (`started: false`), which makes webhook redeliveries harmless.
 */
export interface WorkflowEngine {
  startContinuous(input: ContinuousInput, executionName: string): Promise<{ started: boolean; executionId: string }>;
  /** One repository's release or rollback, or a promotion of several (`ProductInput`), by the same state machine. */
  startPromotion(input: PromotionInput | ProductInput, executionName: string): Promise<{ started: boolean; executionId: string }>;
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

/** An email with a text and an HTML part. */
export interface EmailMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** SES v2 on AWS; RFC 5322 files in the outbox in local mode. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

/** Secrets Manager on AWS; the environment or a generated file in local mode. Implementations cache. */
export interface SecretStore {
  get(name: string): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What the workflows tell a commit's git host of one environment (docs/operations.md#commit-statuses). */
export interface CommitStatusUpdate {
  readonly repository: string;
  readonly releaseId: string;
  readonly commit: string;
  readonly environment: string;
  readonly state: 'pending' | 'success' | 'failure';
  /** One line for the commit page: "deploying", "accepted", "test failed". */
  readonly description: string;
}

/**
 * Sets `cot/<environment>` on a commit at its git host, linking to the release. A status is a courtesy
 * to developers: implementations log a failed call and never throw, so a status never fails a release.
 */
export interface CommitStatusPublisher {
  publish(update: CommitStatusUpdate): Promise<void>;
}
