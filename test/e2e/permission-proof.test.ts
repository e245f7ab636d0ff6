import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeReleaseTemplate } from '../../adapters/local/release-template';
import { loadConfig } from '../../core/config-file';
import { OPERATOR_API_ROUTES } from '../../core/operator-api-routes';
import { webhookSecretName } from '../../core/webhook-intake';
import { approvalPageHandler } from '../../lambdas/approval-page';
import { operatorApiHandler } from '../../lambdas/operator-api';
import { webhookHandler } from '../../lambdas/webhook';
import { createLocalHttpServer, type LocalHttpServer } from '../../local/http-server';
import { pushWebhook } from '../../local/push-webhook';
import { eventually } from '../support/eventually';
import { evaluate, TemplatePolicies } from '../support/iam-evaluator';
import { IamRecorder, type RecordedCall } from '../support/iam-recorder';
import { gitHostServer, type GitHostServer } from '../support/git-host-server';
import { cmdbTableId, notificationTopic, PROOF_RECORDING, roleOf, secretsOnAws, stateMachineArns, withoutStatement, workflowTargets } from '../support/iam-proof';
import { git, localHarness } from '../support/local-harness';

/** The shipped config, its repository asking for commit statuses (the steps then read its token secret). */
const withStatuses = (apiUrl?: string) => {
  const shipped = loadConfig('release.config.yaml');
  return { ...shipped, repositories: shipped.repositories.map((repository) => ({ ...repository, commitStatus: { tokenSecret: 'sample-service/github-token', ...(apiUrl ? { apiUrl } : {}) } })) };
};
const config = withStatuses();
const template = synthesizeReleaseTemplate(config);

/** Every recorded call the role of its handler would refuse, as `handler: command -> action on resource`. */
function denied(policies: TemplatePolicies, calls: readonly RecordedCall[]): string[] {
  const refused = calls.filter((call) => !evaluate(policies.statementsOf(roleOf(policies, call.handler)), call.request).allowed);
  return [...new Set(refused.map((call) => `${call.handler}: ${call.command} -> ${call.request.action} on ${call.request.resource}`))].sort();
}

/**
 * The permission proof (docs/deploy-to-aws.md#permission-proof): a real flow in local mode, every handler
 * reached the way AWS reaches it (webhooks and the operator API over HTTP, the step Lambdas by the state
 * machines' own ASL), each AWS call recorded with its handler and checked against that handler's role
 * in the synthesized template.
 */
describe('permission proof: every AWS call of a release flow is allowed by its handler\'s role', () => {
  const recorder = new IamRecorder({ stateMachines: stateMachineArns(template), secretArn: secretsOnAws(template, config), ...workflowTargets(template, config), ...notificationTopic(template) });
  const links: string[] = [];
  let h: Awaited<ReturnType<typeof localHarness>>;
  let policies: TemplatePolicies;
  let server: LocalHttpServer;
  let base = '';
  let gitHost: GitHostServer;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const answer = await fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    return { status: answer.status, body: (await answer.json()) as T };
  };
  const state = async (releaseId: string) => (await api<{ state: string }>('GET', `/api/releases/${releaseId}`)).body.state;
  const until = (what: string, probe: () => Promise<boolean>) => eventually(probe, { what, timeoutMs: 60_000, intervalMs: 200 });

  /** A commit pushed to the host, whose webhook reaches us signed; resolves once it is accepted in integration. */
  async function pushed(message: string): Promise<string> {
    const before = git(h.repo, 'rev-parse', 'HEAD');
    git(h.repo, 'commit', '--quiet', '--allow-empty', '-m', message);
    const commit = git(h.repo, 'rev-parse', 'HEAD');
    const repository = config.repositories[0]!;
    const secret = await h.release.secrets.get(webhookSecretName(config.product, repository.name));
    const hook = pushWebhook(repository, { branch: 'main', before, commit, message, authorName: 'Dev', authorEmail: 'dev@example.com' }, secret);
    const answer = await fetch(`${base}${hook.path}`, { method: 'POST', headers: hook.headers, body: hook.body });
    expect(answer.status).toBe(202);
    await until(`${commit} accepted in integration`, async () => (await h.release.stores.releases.boardCell('sample-service', 'integration'))?.acceptedCommit === commit);
    return commit;
  }

  async function release(environment: string, ref: string): Promise<string> {
    const answer = await api<{ releaseId: string }>('POST', '/api/releases', { repository: 'sample-service', environment, ref });
    expect(answer.status).toBe(202);
    return answer.body.releaseId;
  }

  /** The pending approval of a release at a gate, decided through the operator API. */
  async function decideByApi(releaseId: string, gate: string, decision: 'approve' | 'reject') {
    const approval = await eventually(async () => (await api<{ pendingApprovals: Array<{ id: string; releaseId: string; gate: string }> }>('GET', '/api/status')).body.pendingApprovals.find((a) => a.releaseId === releaseId && a.gate === gate), { what: `${gate} of ${releaseId}`, timeoutMs: 60_000 });
    expect((await api('POST', `/api/approvals/${approval.id}`, { decision, ...(decision === 'reject' ? { comment: 'not this one' } : {}) })).status).toBe(200);
  }

  beforeAll(async () => {
    // The git host the commit statuses go to: a loopback stand-in (test/support/git-host-server.ts).
    gitHost = await gitHostServer();
    h = await localHarness({ config: withStatuses(gitHost.base), observe: recorder.observer, approvalEmail: { baseUrl: () => base, onLinkSent: (sent) => links.push(sent.url) } });
    policies = new TemplatePolicies(template, { [cmdbTableId(template)]: { Ref: h.release.options.tableName! } });
    const { handlers } = h.release;
    const webhook = recorder.asHandler('webhook', webhookHandler(handlers.webhook()));
    const page = recorder.asHandler('approval-page', approvalPageHandler(handlers.approvalPage()));
    const operator = recorder.asHandler('operator-api', operatorApiHandler(handlers.operatorApi()));
    server = createLocalHttpServer({
      routes: [
        { method: 'POST', resource: '/webhooks/{provider}', handler: webhook },
        ...(['GET', 'POST'] as const).map((method) => ({ method, resource: '/approvals/{id}', handler: page })),
        ...OPERATOR_API_ROUTES.map((route) => ({ method: route.method, resource: route.resource, handler: operator })),
      ],
    });
    base = `http://127.0.0.1:${await server.listen(0)}`;

    // A: integration, then preproduction approved by its emailed link, then production through both gates.
    const a = await pushed('Feature A');
    const toPreproduction = await release('preproduction', a);
    const link = await eventually(() => links[0], { what: 'the approval email', timeoutMs: 60_000 });
    expect((await fetch(link)).status).toBe(200);
    const form = new URLSearchParams({ t: new URL(link).searchParams.get('t')!, decision: 'approve', confirm: 'preproduction' });
    expect((await fetch(link.split('?')[0]!, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
    await until('A accepted in preproduction', async () => (await state(toPreproduction)) === 'accepted');
    const toProduction = await release('production', a);
    await decideByApi(toProduction, 'approve_deploy', 'approve');
    await decideByApi(toProduction, 'accept', 'approve');
    await until('A accepted in production', async () => (await state(toProduction)) === 'accepted');

    // B: integration, then rejected in preproduction; preproduction is rolled back to A on request.
    const b = await pushed('Feature B');
    const rejected = await release('preproduction', b);
    await decideByApi(rejected, 'accept', 'reject');
    await until('B rejected', async () => (await state(rejected)) === 'rejected');
    const rollback = await api<{ releaseId: string }>('POST', '/api/rollbacks', { repository: 'sample-service', environment: 'preproduction' });
    await until('the rollback accepted', async () => (await state(rollback.body.releaseId)) === 'accepted');
    expect((await api('GET', '/api/history/sample-service/preproduction?limit=5')).status).toBe(200);

    // C: up to production, rejected at acceptance there: autoRollback redeploys A.
    const c = await pushed('Feature C');
    const cInPreproduction = await release('preproduction', c);
    await decideByApi(cInPreproduction, 'accept', 'approve');
    await until('C accepted in preproduction', async () => (await state(cInPreproduction)) === 'accepted');
    const cInProduction = await release('production', c);
    await decideByApi(cInProduction, 'approve_deploy', 'approve');
    await decideByApi(cInProduction, 'accept', 'reject');
    await until('production rolled back to A', async () => (await state(cInProduction)) === 'rejected' && (await h.release.stores.releases.boardCell('sample-service', 'production'))?.commit === a);

    // For `npm run iam:unused`: what this flow asked of IAM, by handler.
    mkdirSync(dirname(PROOF_RECORDING), { recursive: true });
    writeFileSync(PROOF_RECORDING, `${JSON.stringify({ tableName: h.release.options.tableName, calls: recorder.calls }, null, 2)}\n`);
  }, 400_000);
  afterAll(async () => {
    await server?.close();
    await gitHost?.close();
  });

  it('records the calls of every handler the flow goes through', () => {
    const handlers = new Set(recorder.calls.map((call) => call.handler));
    expect([...handlers].sort()).toEqual(['approval-page', 'approval-request', 'continuous-step', 'operator-api', 'promotion-step', 'reconcile', 'webhook', 'workflow:continuous', 'workflow:promotion']);
    const actions = new Set(recorder.calls.map((call) => `${call.handler} ${call.request.action}`));
    for (const expected of [
      'webhook states:StartExecution',
      'webhook secretsmanager:GetSecretValue',
      // The webhook records the push in one transaction; the run reads the commits it compares.
      'webhook dynamodb:UpdateItem',
      'continuous-step dynamodb:BatchGetItem',
      'operator-api states:StartExecution',
      'operator-api states:SendTaskSuccess',
      'operator-api states:SendTaskFailure',
      'operator-api dynamodb:Query',
      'approval-page secretsmanager:GetSecretValue',
      'approval-page states:SendTaskSuccess',
      'approval-request ses:SendEmail',
      'approval-request secretsmanager:GetSecretValue',
      'approval-request sns:Publish',
      'approval-request kms:GenerateDataKey',
      'continuous-step secretsmanager:GetSecretValue',
      'promotion-step secretsmanager:GetSecretValue',
      'continuous-step dynamodb:UpdateItem',
      'promotion-step dynamodb:UpdateItem',
      'promotion-step dynamodb:Query',
      'reconcile dynamodb:GetItem',
      'workflow:continuous codebuild:StartBuild',
      'workflow:continuous s3:ListBucketVersions',
      'workflow:continuous lambda:InvokeFunction',
      'workflow:continuous sns:Publish',
      'workflow:promotion codebuild:StartBuild',
      'workflow:promotion lambda:InvokeFunction',
    ]) {
      expect(actions, expected).toContain(expected);
    }
  });

  it('finds every recorded call allowed by the synthesized template', () => {
    expect(recorder.calls.length).toBeGreaterThan(100);
    expect(denied(policies, recorder.calls)).toEqual([]);
  });

  it('checks conditions: the listing of artifact versions is refused outside artifacts/', () => {
    const listing = recorder.calls.find((call) => call.request.action === 's3:ListBucketVersions')!;
    const statements = policies.statementsOf(roleOf(policies, listing.handler));
    expect(evaluate(statements, listing.request).allowed).toBe(true);
    expect(evaluate(statements, { ...listing.request, context: { 's3:prefix': 'logs/x' } }).allowed).toBe(false);
  });

  it.each([
    ['the webhook\'s right to start the continuous workflow', 'webhook', 'states:StartExecution', '', 'webhook: StartExecutionCommand -> states:StartExecution on'],
    ['the operator API\'s Query of the index', 'operator-api', 'dynamodb:Query', '/index/', 'operator-api: QueryCommand -> dynamodb:Query on arn:aws:dynamodb:us-east-1:000000000000:table/cmdb-'],
    ['the approval emails\' SES grant', 'approval-request', 'ses:SendEmail', '', 'approval-request: SendEmailCommand -> ses:SendEmail on arn:aws:ses:'],
    ['the signing key the approval page reads', 'approval-page', 'secretsmanager:GetSecretValue', '', 'approval-page: GetSecretValueCommand -> secretsmanager:GetSecretValue on'],
    ['the approval notices\' topic grant', 'approval-request', 'sns:Publish', '', 'approval-request: PublishCommand -> sns:Publish on arn:aws:sns:'],
    ['the commit-status token the continuous steps read', 'continuous-step', 'secretsmanager:GetSecretValue', '', 'continuous-step: GetSecretValueCommand -> secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:000000000000:secret:sample-service/github-token-'],
    ['the continuous workflow\'s listing of artifact versions', 'workflow:continuous', 's3:ListBucketVersions', '', 'workflow:continuous: aws-sdk:s3:listObjectVersions -> s3:ListBucketVersions on arn:aws:s3:::'],
  ])('fails when %s is removed', (_case, handler, action, on, refusal) => {
    // Prepare: the template with the one statement of that role that allows it taken out.
    const weaker = new TemplatePolicies(withoutStatement(template, roleOf(policies, handler), action, on), { [cmdbTableId(template)]: { Ref: h.release.options.tableName! } });

    // Act
    const refused = denied(weaker, recorder.calls);

    // Assess
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((line) => line.startsWith(refusal))).toBe(true);
  });
});
