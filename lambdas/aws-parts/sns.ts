import { SNSClient } from '@aws-sdk/client-sns';
import { snsAnnounce } from '../../adapters/aws/sns-notices';
import type { AwsParts } from '../aws-wiring';

/** SNS, for the one handler that publishes the approval notices to the notification topic. */
export const sns: NonNullable<AwsParts['announce']> = (topicArn, onError) => snsAnnounce(new SNSClient({}), topicArn, onError);
