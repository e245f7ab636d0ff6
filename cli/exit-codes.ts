/** Exit codes scripts can trust: 0 done, 1 the release failed or was rejected, 2 usage or input error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure meant for the person at the terminal: `main` prints `message` as is (no stack trace) and
 * exits with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Shorthand for the most common one: the arguments cannot work as given. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
