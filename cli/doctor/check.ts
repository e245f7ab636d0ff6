import { EXIT, type ExitCode } from '../exit-codes';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `cot doctor`, and one object of its `--json` array. */
export interface CheckResult {
  /** Stable, for scripts: `node`, `java`, `aws-credentials`, `webhook-secret-<repo>`, ... */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was checked, as a person would say it. */
  readonly title: string;
  /** What was found. */
  readonly detail?: string;
  /** For a problem: the command to run or the page to read. */
  readonly fix?: string;
}

/** A check not yet run: it gets a signal that aborts when its time is up. */
export interface Check {
  readonly id: string;
  readonly title: string;
  run(signal: AbortSignal): Promise<Omit<CheckResult, 'id' | 'title'>>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

/**
 * Runs one check within `timeoutMs`. Whatever goes wrong (a thrown SDK error, a probe that never
 * answers) becomes a failed check with the error's message: doctor itself never fails on a check.
 */
export async function runCheck(check: Check, timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${formatSeconds(timeoutMs)}`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const { status, detail, fix } = await Promise.race([check.run(controller.signal), timeout]);
    // In the order of the --json documentation; absent fields stay absent.
    return { id: check.id, status, title: check.title, ...(detail !== undefined ? { detail } : {}), ...(fix !== undefined ? { fix } : {}) };
  } catch (error) {
    return { id: check.id, status: 'fail', title: check.title, detail: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs checks side by side; the results keep the checks' order. */
export function runChecks(checks: readonly Check[], timeoutMs?: number): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
}

/** An error's own words, never its stack: SDK errors carry a useful message and a name. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.trim() || error.name;
  return String(error);
}

/** The name an AWS SDK error carries (`ResourceNotFoundException`, `ValidationError`, ...). */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function exitCodeOf(results: readonly CheckResult[]): ExitCode {
  return results.some((result) => result.status === 'fail') ? EXIT.failed : EXIT.ok;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
