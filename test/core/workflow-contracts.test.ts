import { describe, expect, it } from 'vitest';
import { FAILED_STEPS } from '../../core/cmdb';
import { LeaseBusyError, TransientError } from '../../core/errors';
import { NotEligibleError } from '../../core/promotion-steps';
import { APPROVAL_GATES } from '../../core/release-lifecycle';
import { ApprovalRequest, ApprovedOutput, ContinuousInput, Ending, PromotionInput, PromotionRun, TargetedRun } from '../../core/workflow-contracts';
import { WORKFLOW_ERRORS } from '../../core/workflow-names';

const sha = 'a'.repeat(40);
const push = { repository: 'svc', environment: 'integration', branch: 'main', commit: sha, message: 'm', author: 'a', requestedBy: 'push:github:1' };
const prepared = { releaseId: 'r-1', repository: 'svc', environment: 'production', commit: sha, kind: 'release', requestedBy: 'ops@example.com' };
const run = { releaseId: 'r-1', repository: 'svc', environment: 'production', commit: sha, kind: 'release', approveBeforeDeploy: false, autoRollback: true, timeoutSeconds: 60, artifactVersion: 'v-1' };
const request = { taskToken: 'token', gate: 'accept', releaseId: 'r-1', timeoutSeconds: 60 };
const targets = {
  projects: { build: 'b', deploy: 'd', test: 't' },
  artifact: { bucket: 'bucket', path: 'artifacts/svc/x', name: 'artifact.zip', key: 'artifacts/svc/x/artifact.zip', location: 'bucket/artifacts/svc/x/artifact.zip' },
};

type Schema = { safeParse(value: unknown): { success: true } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } };

/** `path: message` of each issue, or [] when the value is valid. */
function issues(schema: Schema, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('workflow contracts', () => {
  it.each<[string, Schema, unknown]>([
    ['a push', ContinuousInput, push],
    ['a release', PromotionInput, prepared],
    ['a rollback', PromotionInput, { ...prepared, kind: 'rollback' }],
    ...APPROVAL_GATES.map((gate): [string, Schema, unknown] => [`a release resumed at ${gate}`, PromotionInput, { ...prepared, resumeAt: gate }]),
    ['a run', PromotionRun, run],
    ['a run with no approval timeout (a continuous environment)', PromotionRun, { ...run, timeoutSeconds: 0 }],
    ['a run with its build targets', TargetedRun, { ...run, ...targets }],
    ...APPROVAL_GATES.map((gate): [string, Schema, unknown] => [`an approval request at ${gate}`, ApprovalRequest, { ...request, gate }]),
    ['an approval', ApprovedOutput, { decision: 'approve', by: 'qa@example.com', comment: 'ok' }],
    ['an expiry', Ending, { outcome: 'expired' }],
    ...FAILED_STEPS.map((step): [string, Schema, unknown] => [`a ${step} failure`, Ending, { outcome: 'failed', failure: { step, message: `${step} failed` } }]),
    ['a rejection with its rollback', Ending, { outcome: 'rejected', rollback: { ...run, kind: 'rollback' } }],
  ])('accepts %s', (_case, schema, value) => {
    expect(issues(schema, value)).toEqual([]);
  });

  it.each<[string, Schema, unknown, string[]]>([
    ['a short commit', ContinuousInput, { ...push, commit: 'abc1234' }, ['commit: must be a full 40-character commit SHA']],
    ['an upper-case commit', PromotionInput, { ...prepared, commit: sha.toUpperCase() }, ['commit: must be a full 40-character commit SHA']],
    ['a repository name with capitals', ContinuousInput, { ...push, repository: 'Svc' }, ['repository: Invalid string: must match pattern /^[a-z0-9][a-z0-9-]{0,62}$/']],
    ['an empty branch', ContinuousInput, { ...push, branch: '' }, ['branch: Too small: expected string to have >=1 characters']],
    ['no requester', ContinuousInput, { ...push, requestedBy: undefined }, ['requestedBy: Invalid input: expected string, received undefined']],
    ['a continuous run as a promotion', PromotionInput, { ...prepared, kind: 'deploy' }, ['kind: Invalid option: expected one of "release"|"rollback"']],
    ['an unknown gate to resume at', PromotionInput, { ...prepared, resumeAt: 'later' }, ['resumeAt: Invalid option: expected one of "approve_deploy"|"accept"']],
    ['a negative approval timeout', PromotionRun, { ...run, timeoutSeconds: -1 }, ['timeoutSeconds: Too small: expected number to be >=0']],
    ['a fractional approval timeout', PromotionRun, { ...run, timeoutSeconds: 1.5 }, ['timeoutSeconds: Invalid input: expected int, received number']],
    ['a run without its flags', PromotionRun, { ...run, approveBeforeDeploy: 'no', autoRollback: undefined }, [
      'approveBeforeDeploy: Invalid input: expected boolean, received string',
      'autoRollback: Invalid input: expected boolean, received undefined',
    ]],
    ['a run without its artifact version', PromotionRun, { ...run, artifactVersion: '' }, ['artifactVersion: Too small: expected string to have >=1 characters']],
    ['a run without its targets', TargetedRun, run, ['projects: Invalid input: expected object, received undefined', 'artifact: Invalid input: expected object, received undefined']],
    ['a gate that waits no time', ApprovalRequest, { ...request, timeoutSeconds: 0 }, ['timeoutSeconds: Too small: expected number to be >0']],
    ['an empty approval request', ApprovalRequest, { gate: 'later' }, [
      'taskToken: Invalid input: expected string, received undefined',
      'gate: Invalid option: expected one of "approve_deploy"|"accept"',
      'releaseId: Invalid input: expected string, received undefined',
      'timeoutSeconds: Invalid input: expected number, received undefined',
    ]],
    ['a rejection as an approval', ApprovedOutput, { decision: 'reject', by: 'qa@example.com' }, ['decision: Invalid input: expected "approve"']],
    ['an accepted ending', Ending, { outcome: 'accepted' }, ['outcome: Invalid option: expected one of "rejected"|"failed"|"expired"']],
    ['a failure of an unknown step', Ending, { outcome: 'failed', failure: { step: 'lint', message: 'm' } }, [
      'failure.step: Invalid option: expected one of "build"|"deploy"|"test"|"approval"|"workflow"',
    ]],
  ])('refuses %s, saying what is wrong', (_case, schema, value, expected) => {
    expect(issues(schema, value)).toEqual(expected);
  });

  it.each([
    ['NotEligibleError', WORKFLOW_ERRORS.notEligible, new NotEligibleError('x').name],
    ['LeaseBusyError', WORKFLOW_ERRORS.leaseBusy, new LeaseBusyError('x').name],
    ['TransientError', WORKFLOW_ERRORS.transient, new TransientError('x').name],
  ])('names %s as its class does, so the workflow catches what the steps throw', (_case, caught, thrown) => {
    expect(caught).toBe(thrown);
  });
});
