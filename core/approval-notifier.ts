import { composeApprovalEmail } from './approval-email';
import { approvalUrl, signApprovalLink } from './approval-links';
import type { ApprovalReminderNotifier } from './approval-reminders';
import type { ApprovalNotifier } from './approvals';
import { describeApproval } from './approval-view';
import type { Approval, Release } from './cmdb';
import type { PushStore, ReleaseStore } from './cmdb-stores';
import type { ReleaseConfig } from './config';
import type { Mailer, SecretStore } from './ports';

/**
 * Name of the HMAC key that signs approval links: `<stack>/approval-signing-key` in Secrets Manager (one
 * key per stack, even for two stacks of one product), `<product>/approval-signing-key` in local mode's data folder.
 */
export function approvalSigningKeyName(product: string, stackName?: string): string {
  return `${stackName ?? product}/approval-signing-key`;
}

/** Reads the link signing key when needed; the store caches it. */
export type SigningKeyProvider = () => Promise<string>;

export function signingKeyFrom(secrets: SecretStore, product: string, name: string = approvalSigningKeyName(product)): SigningKeyProvider {
  return () => secrets.get(name);
}

export interface SentLink {
  readonly approval: Approval;
  readonly approver: string;
  readonly url: string;
}

export interface EmailApprovalNotifierDeps {
  readonly mailer: Mailer;
  /** Where the email's facts come from (`describeApproval`). */
  readonly releases: ReleaseStore;
  readonly pushes: PushStore;
  readonly config: ReleaseConfig;
  readonly signingKey: SigningKeyProvider;
  /**
   * Where `/approvals/{id}` is served: the API stage URL on AWS, `http://127.0.0.1:<port>` in local mode
   * (a function, because the port may be known only once the server listens).
   */
  readonly baseUrl: string | (() => string);
  /** Local mode prints each link; never used to log on AWS, where links are bearer credentials. */
  readonly onLinkSent?: (sent: SentLink) => void;
  /** One approver's message failed while another's went out. */
  readonly onSendFailed?: (approver: string, error: unknown) => void;
}

/**
 * Emails each approver a message with a link signed for them alone, valid as long as the approval.
 * The task token is never read here. One approver's failure does not keep the others from their link;
 * only when nobody could be told does it throw (the first error), so the workflow fails rather than waits
 * for nobody.
 */
export class EmailApprovalNotifier implements ApprovalNotifier, ApprovalReminderNotifier {
  constructor(private readonly deps: EmailApprovalNotifierDeps) {}

  async approvalRequested(approval: Approval, _release: Release): Promise<void> {
    await this.send(approval, false);
  }

  /** The same email again, marked as a reminder; the links are the same (signed for the same expiry). */
  async approvalReminder(approval: Approval): Promise<void> {
    await this.send(approval, true);
  }

  private async send(approval: Approval, reminder: boolean): Promise<void> {
    const { deps } = this;
    const [view, key] = await Promise.all([describeApproval(approval, deps), deps.signingKey()]);
    const baseUrl = typeof deps.baseUrl === 'function' ? deps.baseUrl() : deps.baseUrl;
    const results = await Promise.allSettled(
      approval.approvers.map(async (approver) => {
        const token = signApprovalLink({ approvalId: approval.approvalId, approver, expiresAt: view.expiresAt }, key);
        const url = approvalUrl(baseUrl, approval.approvalId, token);
        await deps.mailer.send(composeApprovalEmail({ view, from: deps.config.notifications.from, approver, link: url, reminder }));
        deps.onLinkSent?.({ approval, approver, url });
      }),
    );
    const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [{ approver: approval.approvers[index] ?? '', error: result.reason }] : []));
    // Rethrown as it is, so a workflow Retry can match a TransientError by name.
    if (failures.length === results.length && failures[0]) throw failures[0].error;
    for (const failure of failures) deps.onSendFailed?.(failure.approver, failure.error);
  }
}
