import { AuthorizationErrorException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { snsAnnounce } from '../../../adapters/aws/sns-notices';
import { approvalWaitingNotice } from '../../../core/notifications';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:release-notifications';
const notice = approvalWaitingNotice({
  repository: 'sample-service',
  environment: 'production',
  commit: '4f9c2e1ab0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5',
  releaseId: 'r-1',
  gate: 'accept',
  approvers: ['rm@example.com'],
  expiresAt: '2026-12-01T10:00:00.000Z',
});

describe('snsAnnounce: the approval notices on the notification topic', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());

  it('publishes each notice to the topic with its subject and text', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await snsAnnounce(new SNSClient({}), TOPIC, () => undefined)(notice);

    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([{ TopicArn: TOPIC, Subject: notice.subject, Message: notice.message }]);
  });

  it('tells a refused Publish to onError and never throws', async () => {
    sns.on(PublishCommand).rejects(new AuthorizationErrorException({ message: 'not authorized', $metadata: {} }));
    const errors: unknown[] = [];

    await expect(snsAnnounce(new SNSClient({}), TOPIC, (_notice, error) => errors.push(error))(notice)).resolves.toBeUndefined();

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AuthorizationErrorException);
  });
});
