import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notice } from '../../core/notifications';

/**
 * The notification topic as the approval notices reach it (docs/operations.md#notifications): one
 * Publish per notice, its subject and text as the email subscriptions show them. A notice is told, never
 * waited on: a failed Publish goes to `onError` and never fails the approval it is about.
 */
export function snsAnnounce(client: SNSClient, topicArn: string, onError: (notice: Notice, error: unknown) => void): (notice: Notice) => Promise<void> {
  return async (notice) => {
    try {
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: notice.subject.slice(0, 100), Message: notice.message }));
    } catch (error) {
      onError(notice, error);
    }
  };
}
