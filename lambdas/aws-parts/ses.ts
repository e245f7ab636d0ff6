import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../../adapters/aws/ses-mailer';
import type { AwsParts } from '../aws-wiring';

/** SES, for the one handler that emails approvers. */
export const ses: NonNullable<AwsParts['mailer']> = () => new SesMailer(new SESv2Client({}));
