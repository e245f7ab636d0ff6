import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_NOTIFICATIONS_RECIPIENT } from '../../adapters/local/outbox-notifications';
import { loadConfig } from '../../core/config-file';
import { ReleaseConfig } from '../../core/config';
import { eventually } from '../support/eventually';
import { approvalRequestHandler } from '../../lambdas/approval-request';
import { localHarness } from '../support/local-harness';

/**
 * The shipped config with preproduction's approvals living 20 seconds: by default the reminder is due
 * halfway, after about 10; `remindBefore` brings it forward (`'17s'`: 3 seconds after the request, with
 * as long a margin before the expiry) for a test that needs neither the halfway point nor time before it.
 */
function shortApprovals(remindBefore?: string): ReleaseConfig {
  const shipped = loadConfig('release.config.yaml');
  return ReleaseConfig.parse({
    ...shipped,
    environments: shipped.environments.map((env) => (env.name === 'preproduction' ? { ...env, approvalTimeout: '20s' } : env)),
    ...(remindBefore ? { notifications: { ...shipped.notifications, reminders: { ...shipped.notifications.reminders, before: remindBefore } } } : {}),
  });
}
const EARLY_REMINDER = '17s';

/** Each email to an approver in the outbox (not the notices local mode files there too): its subject and link. */
function outbox(dataDir: string): Array<{ subject: string; link: string | undefined }> {
  const dir = join(dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.eml') && !file.endsWith(`${LOCAL_NOTIFICATIONS_RECIPIENT}.eml`));
  } catch {
    return [];
  }
  return files.map((file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    // The text part is quoted-printable: undo soft line breaks and the one escape a link holds (=3D).
    const text = source.replace(/=\r\n/g, '').replace(/=3D/g, '=');
    return { subject: /^Subject: (.*)$/m.exec(source)?.[1] ?? '', link: /http:\/\/127\.0\.0\.1:\d+\/approvals\/[\w-]+\?t=[\w-]+/.exec(text)?.[0] };
  });
}

async function waitingApproval(h: Awaited<ReturnType<typeof localHarness>>) {
  const push = await h.push('Needs a reminder');
  expect((await h.runContinuous(push)).status).toBe('SUCCEEDED');
  const { releaseId } = await h.prepare('preproduction', push.commit);
  return h.pendingApproval(releaseId, 'accept');
}

describe('local mode: reminders', () => {
  it('emails the approvers once more, with the same link, before the approval expires', async () => {
    // Prepare
    const h = await localHarness({ config: shortApprovals(), approvalEmail: { baseUrl: () => 'http://127.0.0.1:3999' } });

    // Act
    const approval = await waitingApproval(h);

    // Assess: the first email, then the reminder while the approval still waits.
    const reminder = await eventually(() => outbox(h.dataDir).find((mail) => mail.subject.startsWith('Reminder: ')), { what: 'the reminder in the outbox', timeoutMs: 20_000 });
    expect(Date.now()).toBeLessThan(Date.parse(approval.expiresAt));
    const first = outbox(h.dataDir).find((mail) => !mail.subject.startsWith('Reminder: '));
    expect(reminder.subject).toBe(`Reminder: ${first?.subject}`);
    expect(reminder.link).toBeDefined();
    expect(reminder.link).toBe(first?.link);
    expect((await h.release.stores.approvals.getApproval(approval.id))?.remindedAt).toEqual(expect.any(String));
    expect(outbox(h.dataDir)).toHaveLength(2);
    h.release.workflows.execution('promotion', approval.releaseId)?.abort();
  }, 90_000);

  it('sets the timers again from the CMDB after a restart', async () => {
    // Prepare: the approval is requested, then local mode "stops": its timers are gone (before its reminder).
    const h = await localHarness({ config: shortApprovals(), approvalEmail: { baseUrl: () => 'http://127.0.0.1:3999' } });
    const approval = await waitingApproval(h);
    // The approval is on the board a moment before its timer is set (after its emails went out).
    await eventually(() => h.release.reminderTimers.pending === 1, { what: 'the reminder timer', timeoutMs: 10_000 });
    h.release.reminderTimers.stop();

    // Act: what local mode does when it starts.
    const planned = await h.release.handlers.approvalReminders().reminders.replanPending();

    // Assess
    expect(planned).toBe(1);
    await eventually(() => outbox(h.dataDir).find((mail) => mail.subject.startsWith('Reminder: ')), { what: 'the reminder in the outbox', timeoutMs: 20_000 });
    expect(Date.now()).toBeLessThan(Date.parse(approval.expiresAt));
    h.release.workflows.execution('promotion', approval.releaseId)?.abort();
  }, 90_000);
});

describe('the approval-request handler, woken by a reminder schedule', () => {
  it('reminds once, then leaves the approval alone', async () => {
    // Prepare: a waiting approval, as local mode makes it.
    const h = await localHarness({ config: shortApprovals(), approvalEmail: { baseUrl: () => 'http://127.0.0.1:3999' } });
    const approval = await waitingApproval(h);
    h.release.reminderTimers.stop();
    const handler = approvalRequestHandler(h.release.handlers.approvalRequests());

    // Act: the event the schedule sends, twice (a retried invocation), and one that is not an approval id.
    const first = await handler({ reminderFor: approval.id });
    const second = await handler({ reminderFor: approval.id });

    // Assess
    expect(first).toEqual({ approvalId: approval.id, reminder: 'reminded' });
    expect(second).toEqual({ approvalId: approval.id, reminder: 'already reminded' });
    expect(outbox(h.dataDir).filter((mail) => mail.subject.startsWith('Reminder: '))).toHaveLength(1);
    await expect(handler({ reminderFor: '../etc' })).rejects.toThrow(/invalid approval request/);
    h.release.workflows.execution('promotion', approval.releaseId)?.abort();
  }, 90_000);
});

describe('local mode: approval notices', () => {
  it('tells the console and the outbox that an approval waits, and that it is about to expire', async () => {
    const told: string[] = [];
    const h = await localHarness({ config: shortApprovals(EARLY_REMINDER), approvalEmail: { baseUrl: () => 'http://127.0.0.1:3999' }, onNotification: (notice) => told.push(notice.subject ?? '') });
    const approval = await waitingApproval(h);
    const short = approval.commit.slice(0, 7);
    await eventually(() => told.find((subject) => subject.includes('expires at')), { what: 'the expiring notice', timeoutMs: 20_000 });
    expect(told).toContain(`sample-service ${short} waits for acceptance in preproduction`);
    expect(told).toContain(`sample-service ${short} acceptance in preproduction expires at ${approval.expiresAt}`);
    // The integration run's acceptance, the approval waiting, and its expiry coming. A notice is told to
    // the console before its email is written to the outbox: wait for the last one's file.
    const notices = () => readdirSync(join(h.dataDir, 'outbox')).filter((file) => file.endsWith(`${LOCAL_NOTIFICATIONS_RECIPIENT}.eml`));
    await eventually(() => notices().length >= 3, { what: 'the three notices in the outbox', timeoutMs: 10_000 });
    expect(notices().length).toBeGreaterThanOrEqual(3);
    h.release.workflows.execution('promotion', approval.releaseId)?.abort();
  }, 90_000);
});
