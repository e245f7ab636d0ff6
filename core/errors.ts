/**
 * Domain errors. Adapters translate infrastructure failures into these; handlers map them to responses;
 * workflow `Retry` blocks list only the retryable ones by `name`.
 */
export abstract class DomainError extends Error {
  /** Whether trying the same thing again may succeed. */
  abstract readonly retryable: boolean;
  /** HTTP status the API answers with. */
  abstract readonly status: number;
  /** Short machine-readable code, the `error` field of an error response. */
  abstract readonly code: string;
}

/** Input that can never succeed as given: a bad field, an unknown ref. */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly retryable = false;
  readonly status = 400;
  readonly code = 'invalid_request';
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly retryable = false;
  readonly status = 404;
  readonly code = 'not_found';
}

/** A conditional write lost: somebody else changed the item first, or the state forbids the change. */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly retryable = false;
  readonly status = 409;
  readonly code = 'conflict';
}

/** The deploy lease of a repository x environment is held by another run; waiting and retrying helps. */
export class LeaseBusyError extends DomainError {
  override readonly name = 'LeaseBusyError';
  readonly retryable = true;
  readonly status = 409;
  readonly code = 'busy';
}

/** A caller is not allowed to do this (bad signature, wrong approver, expired link). */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly retryable = false;
  readonly status = 403;
  readonly code = 'forbidden';
}

/** A dependency failed in a way that may pass on its own (throttling, a 5xx). */
export class TransientError extends DomainError {
  override readonly name = 'TransientError';
  readonly retryable = true;
  readonly status = 503;
  readonly code = 'unavailable';
}
