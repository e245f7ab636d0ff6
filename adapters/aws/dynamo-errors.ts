import { ConflictError, DomainError, TransientError } from '../../core/errors';
import { isTransientAwsError } from './aws-errors';

/** The code of each item of a cancelled transaction, by position (`None` for the items that held); empty for any other error. */
export function cancellationCodes(error: unknown): Array<string | undefined> {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return [];
  return ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((reason) => reason.Code);
}

/** True when DynamoDB refused a conditional write, alone or inside a transaction. */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/**
 * Infrastructure errors become domain errors here, so nothing above the adapter knows DynamoDB's names:
 * a lost condition is a `ConflictError`, throttling and 5xx are `TransientError` (retryable).
 */
export function toDomainError(error: unknown, conflictMessage: string): Error {
  if (error instanceof DomainError) return error;
  if (isConditionFailure(error)) return new ConflictError(conflictMessage, { cause: error });
  if (error instanceof Error && (isTransientAwsError(error) || isTransactionConflict(error))) {
    return new TransientError(`the CMDB is busy (${error.name}); try again`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function isTransactionConflict(error: Error): boolean {
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'TransactionConflict' || reason.Code === 'ThrottlingError');
}

/** Awaits a DynamoDB call, turning its failure into a domain error. */
export async function guarded<T>(call: Promise<T>, conflictMessage = 'the item was changed by someone else'): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toDomainError(error, conflictMessage);
  }
}
