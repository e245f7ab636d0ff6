import { Reconciler } from '../core/reconcile';
import type { Logger } from '@aws-lambda-powertools/logger';
import { approvalSigningKeyName, EmailApprovalNotifier, signingKeyFrom, type SentLink } from '../core/approval-notifier';
import { ApprovalReminders, type ReminderScheduler } from '../core/approval-reminders';
import { Approvals } from '../core/approvals';
import { CommitStatuses, statusContext, type CommitStatusHost } from '../core/commit-status';
import type { CmdbStores } from '../core/cmdb-stores';
import type { Provider, ReleaseConfig } from '../core/config';
import { ContinuousSteps } from '../core/continuous-steps';
import { EnvironmentChain } from '../core/environment-chain';
import { DeliveryMetrics } from '../core/metrics';
import type { Notice } from '../core/notifications';
import type { Clock, CommitStatusPublisher, Mailer, SecretStore, WorkflowEngine } from '../core/ports';
import { ProductOperations } from '../core/product-operations';
import { ProductSteps } from '../core/product-steps';
import { PromotionSteps } from '../core/promotion-steps';
import { ReleaseOperations } from '../core/release-operations';
import type { ApprovalPageDeps } from './approval-page';
import type { BuildTargets } from './build-targets';
import type { ConsoleDeps } from './console';
import type { ContinuousStepDeps } from './continuous-step';
import type { PromotionStepDeps } from './promotion-step';
import type { OperatorApiDeps } from './operator-api';
import type { WebhookDeps } from './webhook';

/** How approvers are told: an email each, with a link to `<baseUrl>/approvals/<id>` signed for them. */
export interface ApprovalEmail {
  readonly mailer: Mailer;
  readonly baseUrl: string | (() => string);
  readonly onLinkSent?: (sent: SentLink) => void;
  readonly onSendFailed?: (approver: string, error: unknown) => void;
}

/**
 * What a platform gives the use cases: AWS (`aws-wiring.ts`) or one machine (`local/local-wiring.ts`).
 * Parts are functions, called only when a handler that needs them is made: a Lambda makes only the
 * clients, and reads only the environment variables, of its own handler.
 */
export interface Platform {
  readonly config: () => ReleaseConfig;
  readonly stores: () => CmdbStores;
  /** An engine that starts `continuous` or `promotion` executions, or (`tasks`) one that only answers waiting Tasks. */
  readonly workflows: (use: 'continuous' | 'promotion' | 'tasks') => WorkflowEngine;
  readonly buildTargets: () => BuildTargets;
  readonly secrets: () => SecretStore;
  /** @default webhookSecretName(product, repository) for each repository */
  readonly webhookSecretNames?: () => Readonly<Record<string, string>>;
  /** @default approvalSigningKeyName(product) */
  readonly signingKeyName?: () => string;
  /** @default nobody is told (tests) */
  readonly approvalEmail?: () => ApprovalEmail;
  /** Wakes the reminder of an approval up (docs/operations.md#reminders). @default no reminders */
  readonly reminderScheduler?: () => ReminderScheduler;
  /** Where approval notices go (docs/operations.md#notifications); must not throw. @default nowhere */
  readonly announce?: () => (notice: Notice) => Promise<void>;
  /**
   * Where a commit status links to (docs/operations.md#commit-statuses): the console (its release page
   * `#/release/<id>`), else the API (`/api/releases/<id>`). @default no link
   */
  readonly releaseLinks?: () => { readonly console?: string; readonly api?: string };
  /** Each git host's status API (`adapters/aws/commit-status-hosts.ts`). @default no commit statuses */
  readonly commitStatusHosts?: () => Readonly<Record<Provider, CommitStatusHost>>;
  readonly logger: () => Logger;
  readonly clock: Clock;
}

/** The page of a release a commit status links to: the console's when known, else the API's answer. */
export function releaseUrl(links: { readonly console?: string; readonly api?: string }, releaseId: string): string | undefined {
  const id = encodeURIComponent(releaseId);
  // The console's own URL as is (on AWS `.../console`, a path API Gateway routes without a trailing slash).
  if (links.console) return `${links.console}#/release/${id}`;
  if (links.api) return `${links.api.replace(/\/$/, '')}/api/releases/${id}`;
  return undefined;
}

/**
 * The one composition root: every use case and handler dependency, built the same way on every platform.
 * Each function makes what one handler needs.
 */
export function composeRelease(platform: Platform) {
  const { clock } = platform;
  const chain = () => new EnvironmentChain(platform.config());
  const signingKey = () => {
    const { product } = platform.config();
    return signingKeyFrom(platform.secrets(), product, platform.signingKeyName?.() ?? approvalSigningKeyName(product));
  };
  const notifier = (email: ApprovalEmail) => {
    const { releases, pushes } = platform.stores();
    return new EmailApprovalNotifier({ ...email, releases, pushes, config: platform.config(), signingKey: signingKey() });
  };
  // The scheduler is made on first use: the function that sends reminders never sets one, and is not
  // given what setting one needs.
  const makeScheduler = platform.reminderScheduler;
  const scheduler: ReminderScheduler | undefined = makeScheduler && { schedule: (approvalId, at) => makeScheduler().schedule(approvalId, at) };
  const reminders = (email: ApprovalEmail | undefined) => {
    const { releases, approvals: store } = platform.stores();
    const announce = platform.announce?.();
    return new ApprovalReminders({
      config: platform.config(),
      approvals: store,
      releases,
      clock,
      ...(email ? { notifier: notifier(email) } : {}),
      ...(scheduler ? { scheduler } : {}),
      ...(announce ? { announce } : {}),
    });
  };
  // Only the approval-request handler tells approvers (and sets their reminder); deciding and superseding send no email.
  const approvals = (email: ApprovalEmail | undefined) => {
    const { releases, approvals: store } = platform.stores();
    return new Approvals({
      releases,
      approvals: store,
      workflows: platform.workflows('tasks'),
      clock,
      chain: chain(),
      ...(email ? { notifier: notifier(email), reminders: reminders(undefined) } : {}),
      ...(email && platform.announce ? { announce: platform.announce() } : {}),
      onReminderFailed: (approval, error) => platform.logger().warn('the reminder could not be set', { approvalId: approval.approvalId, error }),
    });
  };

  // Commit statuses, for the repositories that ask for them: the token from the secret store, the host
  // by the repository's provider. A failed call is logged; it never fails a step.
  const commitStatuses = (): { statuses?: CommitStatusPublisher } => {
    const { repositories } = platform.config();
    const hosts = platform.commitStatusHosts;
    if (!hosts || !repositories.some((repository) => repository.commitStatus)) return {};
    return {
      statuses: new CommitStatuses({
        repositories,
        hosts: hosts(),
        secrets: platform.secrets(),
        // Asked at each status: local mode knows its port only once it listens.
        releaseUrl: (releaseId) => releaseUrl(platform.releaseLinks?.() ?? {}, releaseId),
        onError: (repository, status, error) =>
          platform.logger().warn('the commit status could not be set', { repository, commit: status.commit, context: statusContext(status.environment), state: status.state, error }),
      }),
    };
  };

  return {
    continuous: (): ContinuousStepDeps => {
      const { releases, pushes, leases } = platform.stores();
      return { steps: new ContinuousSteps({ releases, pushes, leases, clock, ...commitStatuses() }), targets: platform.buildTargets() };
    },
    promotion: (): PromotionStepDeps => {
      const { releases, approvals: store, leases, promotions } = platform.stores();
      const statuses = commitStatuses();
      return {
        steps: new PromotionSteps({ releases, approvals: store, leases, clock, chain: chain(), ...statuses }),
        products: new ProductSteps({ config: platform.config(), releases, approvals: store, leases, promotions, clock, chain: chain(), ...statuses }),
        targets: platform.buildTargets(),
      };
    },
    approvalRequests: () => {
      // One mailer for the first email and the reminder this function sends when its schedule wakes it.
      const email = platform.approvalEmail?.();
      return { approvals: approvals(email), reminders: reminders(email) };
    },
    /** The reminder's wake-up: emails the approvers of a still pending approval once more. */
    approvalReminders: () => ({ reminders: reminders(platform.approvalEmail?.()) }),
    approvalPage: (): ApprovalPageDeps => {
      const { releases, pushes } = platform.stores();
      return { approvals: approvals(undefined), releases, pushes, config: platform.config(), signingKey: signingKey(), clock, logger: platform.logger() };
    },
    operatorApi: (): OperatorApiDeps => {
      const { releases, pushes, promotions, metrics } = platform.stores();
      const config = platform.config();
      const workflows = platform.workflows('promotion');
      const decisions = approvals(undefined);
      const operations = new ReleaseOperations({ config, releases, pushes, workflows, clock, approvals: decisions, promotions });
      const products = new ProductOperations({ config, releases, promotions, workflows, clock });
      return { operations, products, logger: platform.logger(), metrics: new DeliveryMetrics({ config, metrics, clock }) };
    },
    /** The web console: the operator use cases, plus what its pages read; who signs in is the platform's to check. */
    console: (): Omit<ConsoleDeps, 'authenticate'> => {
      const { releases, pushes, promotions, metrics } = platform.stores();
      const config = platform.config();
      const decisions = approvals(undefined);
      const workflows = platform.workflows('promotion');
      const operations = new ReleaseOperations({ config, releases, pushes, workflows, clock, approvals: decisions, promotions });
      // The product row's promotions and the board's metrics panel (docs/console.md#the-product-row).
      const products = new ProductOperations({ config, releases, promotions, workflows, clock });
      return { config, operations, products, metrics: new DeliveryMetrics({ config, metrics, clock }), approvals: decisions, releases, pushes, logger: platform.logger() };
    },
    reconcile: (): { reconciler: Reconciler } => {
      const { releases, leases, approvals: store, promotions } = platform.stores();
      return { reconciler: new Reconciler({ releases, leases, approvals: store, promotions, clock }) };
    },
    webhook: (): WebhookDeps => {
      const { deliveries, pushes } = platform.stores();
      return {
        config: platform.config(),
        deliveries,
        pushes,
        workflows: platform.workflows('continuous'),
        secrets: platform.secrets(),
        ...(platform.webhookSecretNames ? { secretNames: platform.webhookSecretNames() } : {}),
        clock,
        logger: platform.logger(),
      };
    },
  };
}

export type ReleaseComposition = ReturnType<typeof composeRelease>;
