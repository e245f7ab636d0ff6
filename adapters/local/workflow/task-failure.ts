/**
 * A Task failure as Step Functions reports it: `name` is the Error code that `Retry`/`Catch` match, `message`
 * is the Cause (the interpreter copies `message` into the Catch output's `Cause`). A local handler may throw
 * one itself to choose both exactly.
 */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

interface Described {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

export function describeError(error: unknown): Described {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message, stack: error.stack };
  return { name: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), stack: undefined };
}

/**
 * A Lambda function's error: the code is the error type (`ConflictError`), the Cause the JSON the Lambda
 * runtime reports (`errorType`, `errorMessage`, `trace`).
 */
export function lambdaFailure(error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const { name, message, stack } = describeError(error);
  const trace = stack?.split('\n').map((line) => line.trim()) ?? [];
  return new TaskFailure(name, JSON.stringify({ errorType: name, errorMessage: message, trace }));
}

/** An AWS API error of a service integration: `ConditionalCheckFailedException` -> `DynamoDB.ConditionalCheckFailedException`. */
export function serviceFailure(service: string, error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const { name, message } = describeError(error);
  return new TaskFailure(name.includes('.') ? name : `${service}.${name}`, message);
}
