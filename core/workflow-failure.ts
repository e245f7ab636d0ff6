import type { FailedStep } from './cmdb';
import type { CaughtError, Failure } from './workflow-contracts';

interface BuildCause {
  BuildStatus?: string;
  Logs?: { DeepLink?: string };
  Phases?: Array<{ PhaseType?: string; PhaseStatus?: string; Contexts?: Array<{ StatusCode?: string; Message?: string }> }>;
  /** Local mode only: the last lines the failing command printed. */
  LastLines?: string[];
}

/**
 * Turns a caught error into the failure a release records: for a CodeBuild run, the failing phase and its
 * message and a link to the log; for anything else, the error name and cause. Never more than 2,000
 * characters: it goes into the CMDB, emails and the console.
 */
export function describeFailure(step: FailedStep, caught: CaughtError): Failure {
  const build = parseBuild(caught.Cause);
  if (build?.BuildStatus) {
    const phase = build.Phases?.find((candidate) => candidate.PhaseStatus && candidate.PhaseStatus !== 'SUCCEEDED');
    const context = phase?.Contexts?.find((candidate) => candidate.Message)?.Message;
    const where = phase?.PhaseType ? ` in ${phase.PhaseType}` : '';
    const tail = build.LastLines?.length ? `\n${build.LastLines.join('\n')}` : '';
    return clip({
      step,
      message: `${step} ${build.BuildStatus.toLowerCase()}${where}${context ? `: ${context}` : ''}${tail}`,
      ...(build.Logs?.DeepLink ? { logUrl: build.Logs.DeepLink } : {}),
    });
  }
  const name = caught.Error ?? 'Error';
  const cause = caught.Cause ? `: ${errorMessage(caught.Cause)}` : '';
  return clip({ step, message: `${step} failed with ${name}${cause}` });
}

function parseBuild(cause: string | undefined): BuildCause | undefined {
  if (!cause?.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(cause) as BuildCause & { Build?: BuildCause };
    return value.Build ?? value;
  } catch {
    return undefined;
  }
}

/** Lambda errors arrive as `{"errorType","errorMessage","trace"}`: keep the message, never the trace. */
function errorMessage(cause: string): string {
  try {
    const value = JSON.parse(cause) as { errorMessage?: string };
    if (typeof value.errorMessage === 'string') return value.errorMessage;
  } catch {
    // a plain-text cause
  }
  return cause;
}

function clip(failure: Failure): Failure {
  return failure.message.length <= 2000 ? failure : { ...failure, message: `${failure.message.slice(0, 1997)}...` };
}
