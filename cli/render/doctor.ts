import type { CheckResult, CheckStatus } from '../doctor/check';
import { styleFor, type Style } from './style';

const MARKS: Record<CheckStatus, (style: Style) => string> = {
  ok: (style) => style.green('ok  '),
  warn: (style) => style.yellow('warn'),
  fail: (style) => style.red('fail'),
};

/**
 * One line per check: its mark, what was checked, what was found and, for a problem, the fix; then
 * the counts.
 */
export function renderChecks(results: readonly CheckResult[], options: { readonly color?: boolean }): string {
  const style = styleFor(options.color);
  const lines = results.map((result) => {
    const found = result.detail ? `: ${result.detail}` : '';
    const fix = result.fix ? `. ${style.bold('Fix:')} ${result.fix}` : '';
    return `${MARKS[result.status](style)}  ${result.title}${found}${fix}`;
  });
  const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
  const failed = count('fail');
  const warned = count('warn');
  const summary = failed > 0 ? style.red(`${failed} failed`) : style.green('nothing failed');
  return `${lines.join('\n')}\n\n${summary}, ${warned} ${warned === 1 ? 'warning' : 'warnings'}, ${count('ok')} ok\n`;
}
