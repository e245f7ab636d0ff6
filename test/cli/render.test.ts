import { describe, expect, it } from 'vitest';
import { HistoryPage, Release, Status } from '../../cli/api-types';
import { renderApprovals } from '../../cli/render/approvals';
import { renderHistory } from '../../cli/render/history';
import { renderRelease, renderStateLine } from '../../cli/render/release';
import { renderStatus } from '../../cli/render/status';
import { visibleWidth } from '../../cli/render/style';
import { renderTable } from '../../cli/render/table';
import { formatAge, formatElapsed, shortSha } from '../../cli/render/time';
import { EMPTY_STATUS, HELD_STATUS, HISTORY_PAGE, NOW, RELEASE, release, SHA_A as SHA, STATUS } from './support/fixtures';

const options = { now: NOW, timeZone: 'UTC' };

describe('renderStatus', () => {
  it.each([
    [
      'an empty board',
      EMPTY_STATUS,
      `No repositories.

Pending approvals
  none
`,
    ],
    [
      'a board with a null cell and a pending approval',
      STATUS,
      `repository      integration       preproduction                production
sample-service  4f9c2e1 accepted  9e8d7c6 awaiting_acceptance  -
                3m ago            2h ago

Pending approvals
  id            repository      environment    commit   gate    expires
  apr-accept-1  sample-service  preproduction  9e8d7c6  accept  in 7d
`,
    ],
    [
      'a held environment, an older accepted commit and a long repository name',
      HELD_STATUS,
      `repository                                 integration            production
a-very-long-repository-name-for-the-board  a1b2c3d rolled_back    -
                                           3d ago held
                                           last accepted 4f9c2e1

api                                        -                      -

Pending approvals
  none
`,
    ],
  ])('renders %s', (_name, answer, expected) => {
    // Prepare
    const status = Status.parse(answer);
    // Act
    const text = renderStatus(status, options);
    // Assess
    expect(text).toBe(expected);
  });

  it('keeps the columns aligned when colours are on', () => {
    const text = renderStatus(Status.parse(STATUS), { ...options, color: true });
    const [header, row] = text.split('\n');
    const column = (line: string, word: string) => visibleWidth(line.slice(0, line.indexOf(word)));
    expect(column(header ?? '', 'preproduction')).toBe(column(row ?? '', '9e8d7c6'));
    expect(text).toContain('\u001b[32maccepted\u001b[39m');
  });

  it('tolerates fields the CLI does not know and a cell missing from an environment', () => {
    const answer = { ...STATUS, extra: 1, repositories: [{ name: 'x', environments: {} }] };
    expect(renderStatus(Status.parse(answer), options)).toContain('x           -            -              -');
  });
});

describe('renderHistory', () => {
  it('renders deployments with short SHAs, times, approvals and the next cursor', () => {
    expect(renderHistory(HistoryPage.parse(HISTORY_PAGE), options)).toBe(
      `commit   kind      state     started           finished          approvals                           release
9e8d7c6  release   accepted  2024-05-01 09:00  2024-05-01 09:30  accept: approved by qa@example.com  rel-pre-2
4f9c2e1  rollback  failed    2024-04-30 16:05  -                 -                                   rel-pre-1
more: --cursor eyJwayI6InJlbCJ9
`,
    );
  });

  it.each([
    ['the last page', { items: [], cursor: null }, 'No deployments.\n'],
    ['a cursor a shell would split', { items: [], cursor: 'a b' }, "No deployments.\nmore: --cursor 'a b'\n"],
  ])('renders %s', (_name, answer, expected) => {
    expect(renderHistory(HistoryPage.parse(answer), options)).toBe(expected);
  });
});

describe('renderRelease', () => {
  it('renders a release with its state history', () => {
    expect(renderRelease(Release.parse(RELEASE), options)).toBe(
      `Release rel-1  accepted (20m ago)
  repository   sample-service
  environment  preproduction
  commit       9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807

History
  2024-05-01 11:00:00  prepared             alice@example.com
  2024-05-01 11:00:02  deploying            codebuild
  2024-05-01 11:03:10  testing              codebuild
  2024-05-01 11:05:00  awaiting_acceptance  system
  2024-05-01 11:40:00  accepted             qa@example.com
`,
    );
  });

  it('shows why a release failed', () => {
    const failed = release('failed', [], { failure: { step: 'test', message: 'smoke test red', logUrl: 'file:///tmp/test.log' } });
    const text = renderRelease(Release.parse(failed), options);
    expect(text).toContain('  failure      test: smoke test red\n  log          file:///tmp/test.log\n');
    expect(text).toContain('History\n  (no history)\n');
  });

  it('renders a state line for --wait', () => {
    expect(renderStateLine({ state: 'deploying', at: '2024-05-01T12:00:03Z', by: 'codebuild' }, options)).toBe('12:00:03 deploying  codebuild');
  });
});

describe('renderApprovals', () => {
  it.each([
    ['none', [], 'No pending approvals.\n'],
    [
      'one',
      STATUS.pendingApprovals,
      `id            repository      environment    commit   gate    expires
apr-accept-1  sample-service  preproduction  9e8d7c6  accept  in 7d

Decide with: cot approve apr-accept-1 [--comment ...] | cot reject apr-accept-1 --comment <reason>
`,
    ],
  ])('renders %s', (_name, approvals, expected) => {
    expect(renderApprovals(Status.parse({ ...EMPTY_STATUS, pendingApprovals: approvals }).pendingApprovals, options)).toBe(expected);
  });
});

describe('time and text helpers', () => {
  it.each([
    ['2024-05-01T12:00:00Z', 'just now'],
    ['2024-05-01T11:59:18Z', '42s ago'],
    ['2024-05-01T11:57:00Z', '3m ago'],
    ['2024-04-30T13:00:00Z', '23h ago'],
    ['2024-04-28T12:00:00Z', '3d ago'],
    ['2024-05-01T12:10:00Z', 'in 10m'],
    [null, '-'],
    ['not a date', '-'],
  ])('formatAge(%s) is %s', (iso, expected) => {
    expect(formatAge(iso, NOW)).toBe(expected);
  });

  it.each([
    [SHA, '4f9c2e1'],
    ['4f9c2e1', '4f9c2e1'],
    ['v1.4.0', 'v1.4.0'],
    [null, '-'],
  ])('shortSha(%s) is %s', (commit, expected) => {
    expect(shortSha(commit)).toBe(expected);
  });

  it.each([
    [0, '0:00'],
    [42_000, '0:42'],
    [725_000, '12:05'],
    [3_723_000, '1:02:03'],
  ])('formatElapsed(%i) is %s', (ms, expected) => {
    expect(formatElapsed(ms)).toBe(expected);
  });

  it('lays out multi-line cells and trims trailing spaces', () => {
    expect(renderTable([['a', 'b\nc'], ['dd', 'e']], { header: ['x', 'y'] })).toBe('x   y\na   b\n    c\n\ndd  e\n');
  });
});
