import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Approval, ApprovalRecord, NewApproval } from '../../core/cmdb';
import type { ApprovalStore } from '../../core/cmdb-stores';
import { ConflictError, NotFoundError } from '../../core/errors';
import { waitingState, type ApprovalStatus, type Decision } from '../../core/release-lifecycle';
import { describeClosed } from '../../core/approvals';
import { toApproval } from './cmdb-items';
import { keys } from './cmdb-keys';
import { cancellationCodes, guarded, isConditionFailure, toDomainError } from './dynamo-errors';

/**
 * Approvals: one item per pending human decision, plus a marker in the product's board partition so the
 * board lists pending approvals in the same Query. A decision is one transaction, conditional on the
 * approval still being pending and unexpired: of two racing clicks exactly one wins.
 */
export class DynamoApprovals implements ApprovalStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly product: string,
  ) {}

  async createApproval(input: NewApproval): Promise<Approval> {
    const approval: Approval = { ...input, status: 'pending' };
    const waiting = waitingState(input.gate);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: { ...keys.approval(input.approvalId), ...approval }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.pending(this.product, input.approvalId),
                  approvalId: input.approvalId,
                  releaseId: input.releaseId,
                  repository: input.repository,
                  environment: input.environment,
                  commit: input.commit,
                  gate: input.gate,
                  expiresAt: input.expiresAt,
                  // A marker whose approval nobody closed (its run vanished) goes by itself a day after expiry.
                  ttl: Math.floor(Date.parse(input.expiresAt) / 1000) + 86_400,
                },
              },
            },
            // Only a release still waiting at this gate gets an approval: one superseded or ended meanwhile
            // (a newer request won the race) never shows a decision to anybody.
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.release(input.releaseId),
                ConditionExpression: '#state = :waiting',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':waiting': waiting },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const lostRelease = cancellationCodes(error)[2] === 'ConditionalCheckFailed';
      throw toDomainError(error, lostRelease ? `release ${input.releaseId} is no longer ${waiting}: no approval is asked for it` : `approval ${input.approvalId} already exists`);
    }
    return approval;
  }

  async getApproval(approvalId: string): Promise<Approval | undefined> {
    const result = await guarded(this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.approval(approvalId), ConsistentRead: true })));
    return result.Item && toApproval(result.Item);
  }

  async renewApprovalToken(approvalId: string, taskToken: string): Promise<Approval> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.approval(approvalId),
          UpdateExpression: 'SET taskToken = :token',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': taskToken, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toApproval(result.Attributes ?? {});
    } catch (error) {
      throw toDomainError(error, `approval ${approvalId} is no longer pending`);
    }
  }

  async markApprovalNotified(approvalId: string, at: string): Promise<void> {
    await guarded(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.approval(approvalId),
          UpdateExpression: 'SET notifiedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
      `approval ${approvalId} does not exist`,
    );
  }

  async markApprovalReminded(approvalId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.approval(approvalId),
          UpdateExpression: 'SET remindedAt = :at',
          ConditionExpression: '#status = :pending AND attribute_not_exists(remindedAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':pending': 'pending' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw toDomainError(error, '');
    }
  }

  async decideApproval(approvalId: string, input: { decision: Decision; by: string; at: string; comment?: string }): Promise<Approval> {
    const status: ApprovalStatus = input.decision === 'approve' ? 'approved' : 'rejected';
    return this.finish(approvalId, status, input, { decision: input.decision, by: input.by, at: input.at, ...(input.comment ? { comment: input.comment } : {}) }, true);
  }

  async closeApproval(approvalId: string, status: 'superseded' | 'expired', at: string): Promise<Approval | undefined> {
    try {
      return await this.finish(approvalId, status, { by: 'system', at }, { decision: status, by: 'system', at }, false);
    } catch (error) {
      if (error instanceof ConflictError || error instanceof NotFoundError) return this.getApproval(approvalId);
      throw error;
    }
  }

  private async finish(
    approvalId: string,
    status: ApprovalStatus,
    actor: { by: string; at: string; comment?: string },
    record: Omit<ApprovalRecord, 'approvalId' | 'gate'>,
    mustBeUnexpired: boolean,
  ): Promise<Approval> {
    const current = await this.getApproval(approvalId);
    if (!current) throw new NotFoundError(`approval ${approvalId} does not exist`);
    const decided = { status, decidedBy: actor.by, decidedAt: actor.at, ...(actor.comment ? { comment: actor.comment } : {}) };
    const assignments = Object.keys(decided).map((name) => `#${name} = :${name}`);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.approval(approvalId),
                UpdateExpression: `SET ${assignments.join(', ')}`,
                ConditionExpression: `#status = :pending${mustBeUnexpired ? ' AND expiresAt > :at' : ''}`,
                ExpressionAttributeNames: Object.fromEntries(Object.keys(decided).map((name) => [`#${name}`, name])),
                ExpressionAttributeValues: {
                  ...Object.fromEntries(Object.entries(decided).map(([name, value]) => [`:${name}`, value])),
                  ':pending': 'pending',
                  ...(mustBeUnexpired ? { ':at': actor.at } : {}),
                },
              },
            },
            { Delete: { TableName: this.tableName, Key: keys.pending(this.product, approvalId) } },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.release(current.releaseId),
                UpdateExpression: 'SET approvals = list_append(if_not_exists(approvals, :empty), :record)',
                // A decision counts only while its release still waits at the gate: once a newer release
                // superseded it (or it ended otherwise), nobody can approve it into the environment.
                ...(mustBeUnexpired ? { ConditionExpression: '#state = :waiting', ExpressionAttributeNames: { '#state': 'state' } } : {}),
                ExpressionAttributeValues: { ':record': [{ approvalId, gate: current.gate, ...record }], ':empty': [], ...(mustBeUnexpired ? { ':waiting': waitingState(current.gate) } : {}) },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw toDomainError(error, '');
      const now = await this.getApproval(approvalId);
      const [approvalLost, , releaseLost] = cancellationCodes(error);
      if (releaseLost === 'ConditionalCheckFailed' && approvalLost !== 'ConditionalCheckFailed') {
        throw new ConflictError(`release ${current.releaseId} no longer waits for this decision: it was superseded or has ended`, { cause: error });
      }
      throw new ConflictError(describeClosed(now ?? current, actor.at), { cause: error });
    }
    return { ...current, ...decided };
  }
}
