import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config-file';
import { ReleaseConfig } from '../../core/config';
import { ReleaseStack } from '../../lib/release-stack';
import { constructTestApp } from '../support/cdk-app';
import { cloudFormationFindings } from '../support/cloudformation-findings';

const TEAM = '8a5f2a3b-1c2d-4e5f-9a8b-7c6d5e4f3a2b';
const TENANT = '1b2c3d4e-5f6a-4b8c-9d0e-1f2a3b4c5d6e';

function synth(chat: unknown): { template: Template; stack: ReleaseStack } {
  const shipped = loadConfig('release.config.yaml');
  const config = ReleaseConfig.parse({ ...shipped, notifications: { ...shipped.notifications, chat } });
  const app = constructTestApp();
  const stack = new ReleaseStack(app, 'Test', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws with cdk-nag's report when any finding is left unacknowledged.
  return { template: Template.fromStack(stack), stack };
}

describe('ChatNotifications (template)', () => {
  it('subscribes a Slack and a Teams channel to the notification topic, with a role that may do nothing', async () => {
    const { template, stack } = synth({ slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' }, teams: { teamId: TEAM, tenantId: TENANT, channelId: '19%3Aabc%40thread.tacv2' } });
    const topic = { Ref: stack.getLogicalId(stack.notifications.topic.node.defaultChild as never) };
    const role = { 'Fn::GetAtt': [stack.getLogicalId(stack.chat?.role.node.defaultChild as never), 'Arn'] };
    const readOnly = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] };
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T07EA123LEP',
      SlackChannelId: 'C07EZ1ABC23',
      SnsTopicArns: [topic],
      IamRoleArn: role,
      GuardrailPolicies: [readOnly],
    });
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', { TeamId: TEAM, TeamsTenantId: TENANT, TeamsChannelId: '19%3Aabc%40thread.tacv2', SnsTopicArns: [topic], IamRoleArn: role });
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })] } });
    const chatRole = stack.getLogicalId(stack.chat?.role.node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === chatRole));
    expect(policies).toEqual([]);
    // As `cdk synth` runs it: the Chatbot resources appear in no other template the tests validate.
    expect(await cloudFormationFindings(stack)).toEqual([]);
  });

  it('makes no channel without notifications.chat', () => {
    const { template } = synth(undefined);
    expect(Object.keys(template.findResources('AWS::Chatbot::SlackChannelConfiguration'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration'))).toEqual([]);
  });

  it('refuses ids of the wrong shape', () => {
    const result = ReleaseConfig.safeParse({ ...loadConfig('release.config.yaml'), notifications: { from: 'releases@example.com', chat: { teams: { teamId: 'nope', tenantId: TENANT, channelId: 'c' } } } });
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(["notifications.chat.teams.teamId: must be the team's id (a UUID)"]);
  });
});
