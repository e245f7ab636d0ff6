import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DomainError, type ConflictError, type ForbiddenError, type LeaseBusyError, type NotFoundError, type TransientError, type ValidationError } from '../core/errors';
import type { FrozenError } from '../core/freeze';
import type { NotEligibleError } from '../core/promotion-steps';

/**
 * API Gateway REST proxy helpers shared by every HTTP handler: one way to read a request and one error
 * shape (docs/architecture.md#error-responses: `{ error, message }`). Error bodies carry our own words only, never an
 * exception's text or stack, never a secret.
 */

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // Answers are per request and may name repositories: no cache may keep them.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(statusCode: number, error: string, message: string): APIGatewayProxyResult {
  return json(statusCode, { error, message });
}

/** A dependency (CMDB, Secrets Manager, Step Functions) failed: the caller may retry, nothing is its fault. */
export function unavailable(): APIGatewayProxyResult {
  return errorResponse(503, 'unavailable', 'a service this request needs is unavailable; try again later');
}

type DomainErrorName = (ValidationError | ForbiddenError | NotFoundError | ConflictError | NotEligibleError | LeaseBusyError | TransientError | FrozenError)['name'];

/**
 * The HTTP answer of each domain error, by its `name`: the one place the core's errors meet HTTP
 * (docs/architecture.md#error-responses). `error` is the code callers branch on; keep both stable.
 */
const DOMAIN_ERROR_ANSWERS: Readonly<Record<DomainErrorName, { readonly status: number; readonly error: string }>> = {
  ValidationError: { status: 400, error: 'invalid_request' },
  ForbiddenError: { status: 403, error: 'forbidden' },
  NotFoundError: { status: 404, error: 'not_found' },
  ConflictError: { status: 409, error: 'conflict' },
  NotEligibleError: { status: 409, error: 'not_eligible' },
  LeaseBusyError: { status: 409, error: 'busy' },
  FrozenError: { status: 409, error: 'frozen' },
  TransientError: { status: 503, error: 'unavailable' },
};

/**
 * A thrown error as an answer: a domain error answered below 500 keeps its status, code and message
 * (our own words, written for callers); anything else is a 503 that says nothing about the failure.
 * Log the error itself before calling this.
 */
export function fromError(error: unknown): APIGatewayProxyResult {
  if (!(error instanceof DomainError) || !Object.hasOwn(DOMAIN_ERROR_ANSWERS, error.name)) return unavailable();
  const answer = DOMAIN_ERROR_ANSWERS[error.name as DomainErrorName];
  return answer.status < 500 ? errorResponse(answer.status, answer.error, error.message) : unavailable();
}

/** Header names in lower case (HTTP names are case-insensitive; API Gateway keeps the sender's case). */
export function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null | undefined): Record<string, string | undefined> {
  // No prototype: a header named `__proto__` is just a header.
  const result = Object.create(null) as Record<string, string | undefined>;
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = name.toLowerCase();
    // The first of two spellings wins, as API Gateway keeps the first of repeated headers.
    if (value !== undefined && !Object.hasOwn(result, key)) result[key] = value;
  }
  return result;
}

/**
 * The body as it was sent. API Gateway base64-encodes bodies of binary media types; text bodies arrive
 * as they were. Signatures are computed over these bytes, so nothing is trimmed or re-encoded.
 */
export function rawBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | Buffer {
  if (event.body === null || event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
}
