/**
 * Names the AWS services we call give to failures that pass on their own: throttling and quotas that
 * free up (DynamoDB, Step Functions, Secrets Manager, SES), and their own server errors. An unmodelled
 * error carries only its name, so names stay listed even where the SDK also marks the fault.
 */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'KmsThrottlingException',
  'ExecutionLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalServiceError',
  'InternalServiceErrorException',
  'ServiceUnavailable',
]);

/** What an AWS SDK v3 (Smithy) service exception adds to `Error`. */
interface SdkErrorFields {
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * True when an AWS SDK call failed in a way that trying again later may fix: the service throttled us
 * (a throttling name, HTTP 429), failed itself (`$fault: 'server'`, HTTP 5xx), or its model marks the
 * error `$retryable`. Adapters turn these into `TransientError`; the rest stay what they are.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { $fault, $retryable, $metadata } = error as Error & SdkErrorFields;
  const status = $metadata?.httpStatusCode;
  return TRANSIENT_NAMES.has(error.name) || $fault === 'server' || $retryable !== undefined || status === 429 || (status !== undefined && status >= 500);
}
