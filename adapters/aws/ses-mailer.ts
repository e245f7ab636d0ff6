import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { TransientError } from '../../core/errors';
import type { EmailMessage, Mailer } from '../../core/ports';
import { isTransientAwsError } from './aws-errors';

/**
 * Email through SES v2 with Simple content: SES builds the MIME message (multipart/alternative with the
 * text and HTML parts, UTF-8 subject encoding). The sender must be a verified identity, and in the SES
 * sandbox so must every recipient.
 */
export class SesMailer implements Mailer {
  constructor(private readonly client: SESv2Client) {}

  async send(message: EmailMessage): Promise<void> {
    const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from,
          Destination: { ToAddresses: [...message.to] },
          Content: { Simple: { Subject: utf8(message.subject), Body: { Text: utf8(message.text), Html: utf8(message.html) } } },
        }),
      );
    } catch (error) {
      // Throttling may pass; anything else (unverified identity, sandbox) will not.
      if (error instanceof Error && isTransientAwsError(error)) {
        throw new TransientError(`SES is busy (${error.name}); try again`, { cause: error });
      }
      throw error;
    }
  }
}
