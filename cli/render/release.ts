import type { Release, StateChange } from '../api-types';
import { summarizeApprovals } from './history';
import type { RenderOptions } from './options';
import { styleFor, styleState } from './style';
import { renderTable } from './table';
import { formatAge, formatClock, formatTimestamp } from './time';

/** `cot show`: what the release is, then every state it went through. */
export function renderRelease(release: Release, options: RenderOptions): string {
  const style = styleFor(options.color);
  const facts: string[][] = [
    ['repository', release.repository],
    ['environment', release.environment],
    ['commit', release.commit],
  ];
  if (release.kind) facts.push(['kind', release.kind]);
  if (release.requestedBy) facts.push(['requested by', release.requestedBy]);
  if (release.approvals && release.approvals.length > 0) facts.push(['approvals', summarizeApprovals(release.approvals)]);
  if (release.failure) {
    facts.push(['failure', style.red(`${release.failure.step ? `${release.failure.step}: ` : ''}${release.failure.message}`)]);
    if (release.failure.logUrl) facts.push(['log', release.failure.logUrl]);
  }
  const last = release.history.at(-1);
  const heading = `${style.bold(`Release ${release.releaseId}`)}  ${styleState(release.state, style)}${last ? style.dim(` (${formatAge(last.at, options.now)})`) : ''}`;
  const history =
    release.history.length === 0
      ? '  (no history)\n'
      : renderTable(
          release.history.map((change) => [formatTimestamp(change.at, options.timeZone), styleState(change.state, style), change.by ?? '', change.detail ?? '']),
          { indent: '  ' },
        );
  return `${heading}\n${renderTable(facts, { indent: '  ' })}\n${style.bold('History')}\n${history}`;
}

/** One line per state while `--wait` follows a release: "12:00:03 deploying  codebuild". */
export function renderStateLine(change: StateChange, options: Omit<RenderOptions, 'now'>): string {
  const style = styleFor(options.color);
  const by = change.by ? `  ${style.dim(change.by)}` : '';
  const detail = change.detail ? `  ${change.detail}` : '';
  return `${style.dim(formatClock(change.at, options.timeZone))} ${styleState(change.state, style)}${by}${detail}`;
}
