/**
 * Domain errors. Adapters translate infrastructure failures into these; handlers map them to responses
 * (the HTTP status and `error` code of each are in `lambdas/http.ts`); workflow `Retry` blocks list only
 * the retryable ones by `name`.
 */
export abstract class DomainError extends Error {
  /** Whether trying the same thing again may succeed. */
  abstract readonly retryable: boolean;
}

/** Input that can never succeed as given: a bad field, an unknown ref. */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly retryable = false;
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly retryable = false;
}

/** A conditional write lost: somebody else changed the item first, or the state forbids the change. */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly retryable = false;
}

/** The deploy lease of a repository x environment is held by another run; waiting and retrying helps. */
export class LeaseBusyError extends DomainError {
  override readonly name = 'LeaseBusyError';
  readonly retryable = true;
}

/** A caller is not allowed to do this (bad signature, wrong approver, expired link). */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly retryable = false;
}

/** A dependency failed in a way that may pass on its own (throttling, a 5xx). */
export class TransientError extends DomainError {
  override readonly name = 'TransientError';
  readonly retryable = true;
}
