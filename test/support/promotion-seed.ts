import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Release } from '../../core/cmdb';
import type { CmdbStores } from '../../core/cmdb-stores';
import { newReleaseId } from '../../core/ids';

/**
 * A promotion of one commit of `repository` cut off mid-deploy, as the workflow's `ProductClaim` leaves it:
 * written by the promotion store, every member's lease held, the members and the promotion `deploying`.
 */
export async function promotionMidDeploy(
  stores: Pick<CmdbStores, 'promotions' | 'releases' | 'leases'>,
  member: { repository: string; environment: string; commit: string },
): Promise<{ promotion: Release; memberId: string }> {
  const { promotions, releases } = stores;
  const now = new Date();
  const at = now.toISOString();
  const memberId = newReleaseId(now);
  const { release } = await promotions.startPromotion({
    releaseId: newReleaseId(now),
    environment: member.environment,
    kind: 'release',
    requestedBy: 'alice',
    createdAt: at,
    members: [{ repository: member.repository, commit: member.commit, releaseId: memberId, previous: null, artifactVersion: `v-${member.commit.slice(0, 12)}` }],
  });
  await promotions.claimLeases([{ repository: member.repository, environment: member.environment, holder: memberId }], 3600, now);
  await releases.transitionRelease(memberId, 'deploying', { by: 'codebuild', at });
  const promotion = await promotions.transitionPromotion(release.releaseId, 'deploying', { by: 'codebuild', at });
  return { promotion, memberId };
}

/**
 * Watches the CMDB's DynamoDB client (local mode's `observe.client`) for any write, attempted or done, that
 * names `repository`'s board cell: a promotion's record (`*`) has none, so nothing may try to write one.
 */
export function boardWritesOf(repository: string): { observe: { client: (client: DynamoDBClient) => void }; writes: string[] } {
  const writes: string[] = [];
  const cell = `"BOARD#${repository}#`;
  const observe = {
    client: (client: DynamoDBClient) => {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const command = String(context.commandName);
          if (/Put|Update|Delete|TransactWrite|BatchWrite/.test(command) && JSON.stringify(args.input).includes(cell)) writes.push(command);
          return next(args);
        },
        { step: 'initialize', name: `boardWritesOf-${repository}` },
      );
    },
  };
  return { observe, writes };
}
