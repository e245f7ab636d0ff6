import { ConditionalCheckFailedException, ProvisionedThroughputExceededException, ReplicatedWriteConflictException } from '@aws-sdk/client-dynamodb';
import { MessageRejected, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { ExecutionLimitExceeded, InvalidToken, TaskTimedOut } from '@aws-sdk/client-sfn';
import { InternalServiceError, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { isTransientAwsError } from '../../../adapters/aws/aws-errors';

const unmodelled = (name: string, fields: object) => Object.assign(new Error(name), { name, ...fields });

describe('isTransientAwsError', () => {
  it.each([
    ['DynamoDB throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['a modelled retryable error', new ReplicatedWriteConflictException({ message: 'conflict', $metadata: {} })],
    ['too many open executions', new ExecutionLimitExceeded({ message: 'limit', $metadata: {} })],
    ['SES throttling', new TooManyRequestsException({ message: 'slow down', $metadata: {} })],
    ['a Secrets Manager server error', new InternalServiceError({ message: 'boom', $metadata: {} })],
    ['an unmodelled throttling name', unmodelled('ThrottlingException', {})],
    ['a server fault', unmodelled('InternalFailure', { $fault: 'server' })],
    ['an unmodelled 503', unmodelled('UnknownError', { $fault: 'client', $metadata: { httpStatusCode: 503 } })],
    ['an unmodelled 429', unmodelled('UnknownError', { $fault: 'client', $metadata: { httpStatusCode: 429 } })],
  ])('is true for %s', (_what, error) => {
    expect(isTransientAwsError(error)).toBe(true);
  });

  it.each([
    ['a lost condition', new ConditionalCheckFailedException({ message: 'lost', $metadata: { httpStatusCode: 400 } })],
    ['a task token no longer waited on', new TaskTimedOut({ message: 'gone', $metadata: {} })],
    ['an invalid token', new InvalidToken({ message: 'bad', $metadata: {} })],
    ['a missing secret', new ResourceNotFoundException({ message: 'not found', $metadata: {} })],
    ['a refused email', new MessageRejected({ message: 'not verified', $metadata: {} })],
    ['missing permissions', unmodelled('AccessDeniedException', { $fault: 'client', $metadata: { httpStatusCode: 403 } })],
    ['a plain Error', new Error('boom')],
    ['a value that is not an Error', 'ThrottlingException'],
  ])('is false for %s', (_what, error) => {
    expect(isTransientAwsError(error)).toBe(false);
  });
});
