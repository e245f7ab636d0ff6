import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { reminderScheduleNames } from '../../core/approval-reminders';
import { reminderTarget } from '../../lambdas/aws-wiring';
import type { ReleaseStack } from '../../lib/release-stack';
import { shippedStack } from '../support/shipped-stack';

describe('ApprovalReminders (template)', () => {
  let template: Template;
  let stack: ReleaseStack;
  beforeAll(() => {
    ({ stack, template } = shippedStack());
  });

  const names = reminderScheduleNames('Test');
  const approvalRequest = () => stack.getLogicalId(stack.promotion.approvalRequest.node.defaultChild as never);
  const schedulerRole = () => stack.getLogicalId(stack.reminders.schedulerRole.node.defaultChild as never);

  it('has a schedule group and a role only EventBridge Scheduler of this account assumes, to invoke the approval-request function only', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: names.group });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: { 'Fn::Join': ['', [`${names.rolePrefix}-`, { Ref: 'AWS::Region' }]] },
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: schedulerRole() }],
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [approvalRequest(), 'Arn'] } }] },
    });
  });

  it('lets the approval-request function create schedules in the group and pass the role to Scheduler, and names both in its environment', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown; Condition?: unknown }>)
      .filter((statement) => ['scheduler:CreateSchedule', 'iam:PassRole'].includes(String(statement.Action)));
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'scheduler:CreateSchedule',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:schedule/${names.group}/*`]] },
      }),
      expect.objectContaining({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [schedulerRole(), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith([{ Key: 'cot:handler', Value: 'approval-request' }]),
      Environment: { Variables: Match.objectLike({ REMINDER_SCHEDULES: `${names.group}/${names.rolePrefix}` }) },
    });
  });
});

describe('reminderTarget', () => {
  it('invokes the function as it was invoked, with the role of its region and account', () => {
    expect(reminderTarget('cot-reminders-abc/cot-reminders-abc', 'arn:aws-cn:lambda:cn-north-1:123456789012:function:fn-1')).toEqual({
      groupName: 'cot-reminders-abc',
      functionArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:fn-1',
      roleArn: 'arn:aws-cn:iam::123456789012:role/cot-reminders-abc-cn-north-1',
    });
  });

  it.each([
    ['cot-reminders-abc', 'arn:aws:lambda:eu-west-1:123456789012:function:fn'],
    ['a/b', undefined],
    ['a/b', 'not-an-arn'],
  ])('refuses %s with %s', (schedules, arn) => {
    expect(() => reminderTarget(schedules, arn)).toThrow(/REMINDER_SCHEDULES/);
  });

  it('names a stack\'s group and role within their limits whatever its name', () => {
    const long = reminderScheduleNames('x'.repeat(128));
    expect(long.group).toMatch(/^cot-reminders-[0-9a-f]{12}$/);
    expect(`${long.rolePrefix}-ap-southeast-2`.length).toBeLessThanOrEqual(64);
    expect(reminderScheduleNames('a')).not.toEqual(reminderScheduleNames('b'));
  });
});
