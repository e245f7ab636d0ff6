import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DomainError } from '../core/errors';

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

/**
 * A thrown error as an answer: a domain error below 500 keeps its status, code and message (our own
 * words, written for callers); anything else is a 503 that says nothing about the failure. Log the
 * error itself before calling this.
 */
export function fromError(error: unknown): APIGatewayProxyResult {
  if (error instanceof DomainError && error.status < 500) return errorResponse(error.status, error.code, error.message);
  return unavailable();
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
