import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../adapters/aws/ses-mailer';
import { TransientError } from '../../../core/errors';

const message = { from: 'releases@example.com', to: ['rm@example.com'], subject: 'Approve ✓?', text: 'text part', html: '<p>html part</p>' };

describe('SesMailer', () => {
  const ses = mockClient(SESv2Client);
  beforeEach(() => ses.reset());

  it('sends Simple content with the text and HTML parts in UTF-8', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    await new SesMailer(new SESv2Client({})).send(message);

    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      {
        FromEmailAddress: 'releases@example.com',
        Destination: { ToAddresses: ['rm@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Approve ✓?', Charset: 'UTF-8' },
            Body: { Text: { Data: 'text part', Charset: 'UTF-8' }, Html: { Data: '<p>html part</p>', Charset: 'UTF-8' } },
          },
        },
      },
    ]);
  });

  it('makes throttling a TransientError and leaves a rejection as it is', async () => {
    ses.on(SendEmailCommand).rejectsOnce(new TooManyRequestsException({ message: 'slow down', $metadata: {} })).rejectsOnce(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));
    const mailer = new SesMailer(new SESv2Client({}));

    await expect(mailer.send(message)).rejects.toBeInstanceOf(TransientError);
    await expect(mailer.send(message)).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});
