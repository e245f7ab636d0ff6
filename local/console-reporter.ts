import type { WorkflowName } from '../adapters/local/local-workflows';
import type { WorkflowEvent } from '../adapters/local/workflow';
import type { SentLink } from '../core/approval-notifier';
import { EXECUTION_ERRORS } from '../core/workflow-names';
import type { Notification } from './local-wiring';

type Write = (line: string) => void;

interface Subject {
  repository?: string;
  commit?: string;
  environment?: string;
}

const STEP_WORDS: Record<string, (environment: string) => string> = {
  Build: () => 'building',
  Deploy: (environment) => `deploying to ${environment}`,
  Test: (environment) => `testing in ${environment}`,
  Superseded: () => 'superseded: a newer commit or release took its place',
  Held: (environment) => `built, not deployed: ${environment} is held (cot resume)`,
  RolledBack: (environment) => `rolled back in ${environment}`,
  // A promotion's members (docs/architecture.md#promotions).
  MemberDeploy: (environment) => `deploying to ${environment} (promotion)`,
  MemberTest: (environment) => `testing in ${environment} (promotion)`,
  ProductRolledBack: (environment) => `promotion rolled back in ${environment}`,
};

/**
 * What local mode prints as it happens: one line per step of every run, each approval link, and how each
 * run ended (a failure with the failing command's last lines).
 */
export class ConsoleReporter {
  constructor(
    private readonly write: Write,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  workflowEvent(workflow: WorkflowName, event: WorkflowEvent): void {
    const input = (event.input ?? {}) as Record<string, unknown>;
    if (event.type === 'StateEntered' && event.stateName === 'Begin') {
      if (workflow === 'continuous') {
        const message = String(input.message ?? '').split('\n')[0];
        this.line(input, `pushed to ${String(input.branch)}: "${message}" by ${String(input.author)}`);
      } else {
        const what = input.product ? 'promotion' : input.kind === 'rollback' ? 'rollback' : 'release';
        this.line(input, `${what}${input.product && input.kind === 'rollback' ? ' rollback' : ''} ${String(input.releaseId)} requested by ${String(input.requestedBy)}${input.resumeAt ? ' (resumed after a restart)' : ''}`);
      }
      return;
    }
    if (event.type === 'StateEntered' && event.stateName && STEP_WORDS[event.stateName]) {
      const subject = subjectOf(input);
      this.line(subject, STEP_WORDS[event.stateName]!(subject.environment ?? ''));
      return;
    }
    if (event.type === 'ExecutionFailed' && (event.error === EXECUTION_ERRORS.notEligible || event.error === EXECUTION_ERRORS.continuousNotStarted || event.error === 'States.Runtime')) {
      this.line({}, `${workflow} run failed: ${event.error}${event.cause ? ` ${String(event.cause)}` : ''}`);
    }
  }

  linkSent(sent: SentLink): void {
    const { approval } = sent;
    const gate = approval.gate === 'approve_deploy' ? 'approve the deploy' : 'accept';
    this.line(approval, `waiting for ${sent.approver} to ${gate}: ${sent.url}`);
  }

  notification(notification: Notification): void {
    const [first, ...rest] = notification.message.split('\n');
    const detail = rest.filter((line) => line.trim() !== '').slice(-12);
    this.write(`${this.time()}  ${notification.subject ?? first}`);
    if (/failed|rejected|expired/.test(notification.subject ?? '')) for (const line of detail) this.write(`            ${line}`);
  }

  info(text: string): void {
    this.write(`${this.time()}  ${text}`);
  }

  private line(subject: Subject, text: string): void {
    const parts = [subject.repository, subject.commit?.slice(0, 7), subject.environment].filter(Boolean);
    this.write(`${this.time()}  ${parts.join('  ')}${parts.length ? '  ' : ''}${text}`);
  }

  private time(): string {
    return this.clock().toTimeString().slice(0, 8);
  }
}

/** The commit and environment a state works on: a promotion's `$.run.value`, or a continuous run's input. */
function subjectOf(input: Record<string, unknown>): Subject {
  const member = input.member as Subject | undefined;
  if (member?.repository) return { ...member, environment: String(input.environment ?? '') };
  const run = (input.run as { value?: Subject } | undefined)?.value;
  return run?.repository || run?.environment ? run : (input as Subject);
}
