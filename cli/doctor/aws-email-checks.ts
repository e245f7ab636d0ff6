import { GetAccountCommand, GetEmailIdentityCommand, type GetEmailIdentityCommandOutput, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { ReleaseConfig } from '../../core/config';
import { errorName, type Check } from './check';

const CREATE_IDENTITY = (address: string) => `aws sesv2 create-email-identity --email-identity ${address}, then open the link SES emails to it`;
const PRODUCTION_ACCESS = 'https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html';

/**
 * Approval emails are sent from `notifications.from`: SES sends only from a verified identity, the
 * address itself or its domain.
 */
export function sesIdentityCheck(ses: SESv2Client, from: string, region: string): Check {
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return {
    id: 'ses-identity',
    title: `SES identity of notifications.from (${from}) verified`,
    run: async (signal) => {
      const address = await emailIdentity(ses, from, signal);
      if (address?.VerifiedForSendingStatus) return { status: 'ok', detail: `${from} is verified` };
      const domainIdentity = await emailIdentity(ses, domain, signal);
      if (domainIdentity?.VerifiedForSendingStatus) return { status: 'ok', detail: `its domain ${domain} is verified` };
      if (address) return { status: 'fail', detail: `${from} is ${address.VerificationStatus ?? 'not verified'}`, fix: `open the link SES emailed to ${from} (or ${CREATE_IDENTITY(from)} again)` };
      if (domainIdentity) return { status: 'fail', detail: `its domain ${domain} is ${domainIdentity.VerificationStatus ?? 'not verified'}`, fix: `publish the DNS records of aws sesv2 get-email-identity --email-identity ${domain}` };
      return { status: 'fail', detail: `neither ${from} nor ${domain} is an SES identity in ${region}`, fix: CREATE_IDENTITY(from) };
    },
  };
}

/** In the sandbox SES also refuses to send to an address that is not verified: every approver's. */
export function sesSandboxCheck(ses: SESv2Client, config: ReleaseConfig): Check {
  const approvers = [...new Set(config.environments.flatMap((environment) => (environment.mode === 'approval' ? environment.approvers : [])))];
  return {
    id: 'ses-sandbox',
    title: 'SES production access (out of the sandbox)',
    run: async (signal) => {
      const account = await ses.send(new GetAccountCommand({}), { abortSignal: signal });
      if (account.SendingEnabled === false) return { status: 'fail', detail: 'sending is paused for this account', fix: 'see the SES console (Account dashboard) for why' };
      if (account.ProductionAccessEnabled) return { status: 'ok', detail: 'production access' };
      const detail = approvers.length === 0 ? 'in the sandbox' : `in the sandbox: every approver must be a verified identity too: ${approvers.join(', ')}`;
      return { status: 'warn', detail, fix: `aws sesv2 create-email-identity --email-identity <approver> for each, or request production access (${PRODUCTION_ACCESS})` };
    },
  };
}

async function emailIdentity(ses: SESv2Client, identity: string, signal: AbortSignal): Promise<GetEmailIdentityCommandOutput | undefined> {
  try {
    return await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }), { abortSignal: signal });
  } catch (error) {
    if (errorName(error) === 'NotFoundException') return undefined;
    throw error;
  }
}
