import { Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';

export interface ChatNotificationsProps {
  /** `notifications.chat` of the config: a Slack channel, a Microsoft Teams channel, or both. */
  readonly chat: NonNullable<ReleaseConfig['notifications']['chat']>;
  /** The topic whose messages the channels receive. */
  readonly topic: sns.ITopic;
}

/**
 * The notification topic in Slack or Microsoft Teams through AWS Chatbot (docs/operations.md#chat). The
 * channels only read: their role holds no permission, and the guardrail (ReadOnlyAccess) caps what any
 * channel member could be given later.
 */
export class ChatNotifications extends Construct {
  /** Assumed by AWS Chatbot for the channels; it has no policy. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ChatNotificationsProps) {
    super(scope, id);
    const { chat, topic } = props;
    const name = Stack.of(this).stackName.slice(0, 100);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'AWS Chatbot posts the release notifications with it; it may do nothing else',
    });
    const guardrail = iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    if (chat.slack) {
      new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${name}-slack`,
        slackWorkspaceId: chat.slack.workspaceId,
        slackChannelId: chat.slack.channelId,
        notificationTopics: [topic],
        role: this.role,
        guardrailPolicies: [guardrail],
      });
    }
    if (chat.teams) {
      new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
        configurationName: `${name}-teams`,
        teamId: chat.teams.teamId,
        teamsChannelId: chat.teams.channelId,
        teamsTenantId: chat.teams.tenantId,
        iamRoleArn: this.role.roleArn,
        snsTopicArns: [topic.topicArn],
        guardrailPolicies: [guardrail.managedPolicyArn],
      });
    }
  }
}
