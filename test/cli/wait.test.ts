import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from './support/api-server';
import { NOW, release, SHA_B, STATUS } from './support/fixtures';
import { runCot } from './support/run-cot';

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(async () => {
  await api.close();
});

/**
 * The board while the release waits: its approval carries no `releaseId` (matched on repository,
 * environment and commit), and another release's approval of the same commit must not be listed.
 */
const BOARD = {
  ...STATUS,
  pendingApprovals: [
    { id: 'apr-other', releaseId: 'rel-0', repository: 'sample-service', environment: 'preproduction', commit: SHA_B, gate: 'accept', expiresAt: '2024-05-02T12:00:00Z' },
    { id: 'apr-1', repository: 'sample-service', environment: 'preproduction', commit: SHA_B, gate: 'accept', expiresAt: '2024-05-08T12:00:00Z' },
  ],
};

/** The release as successive polls see it: the next state each time (a repeat adds no history), then the last one forever. */
function serveStates(states: string[], extra: Record<string, unknown> = {}): void {
  let polls = 0;
  api.handle((request) => {
    if (request.method === 'POST') return { status: 202, body: { releaseId: 'rel-1' } };
    if (request.url === '/api/status') return { status: 200, body: BOARD };
    const seen = Math.min(++polls, states.length);
    const changes = states.slice(0, seen).filter((state, index, all) => state !== all[index - 1]);
    const history = changes.map((state, index) => ({ state, at: `2024-05-01T12:00:0${index}Z`, by: index === 0 ? 'alice@example.com' : 'codebuild' }));
    return { status: 200, body: release(states[seen - 1] ?? 'prepared', history, seen === states.length ? extra : {}) };
  });
}

const releaseArgs = ['--endpoint', '', 'release', 'sample-service', 'preproduction', SHA_B, '--wait'];
// The board's clock is the fixtures' own, so that "expires in 7d" holds whenever the test runs.
const waitFor = (...more: string[]) => runCot([...releaseArgs.map((arg) => arg || api.url), ...more], { now: () => NOW });

describe('cot release --wait', () => {
  it('follows the release to accepted (0), one line per state, naming the approval a person must decide', async () => {
    // Prepare
    serveStates(['prepared', 'deploying', 'testing', 'awaiting_acceptance', 'awaiting_acceptance', 'accepted']);
    // Act
    const run = await waitFor();
    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        `Release of sample-service ${SHA_B} to preproduction prepared: rel-1`,
        '12:00:00 prepared  alice@example.com',
        '12:00:01 deploying  codebuild',
        '12:00:02 testing  codebuild',
        '12:00:03 awaiting_acceptance  codebuild',
        'waiting for a person to accept the release',
        '  apr-1 (accept of 9e8d7c6 in preproduction, expires in 7d): cot approve apr-1  or  cot reject apr-1 --comment <reason>',
        '12:00:04 accepted  codebuild',
        'Release rel-1 accepted: sample-service 9e8d7c6 in preproduction.',
        '',
      ].join('\n'),
    );
    const polls = api.requests.filter((request) => request.url === '/api/releases/rel-1');
    expect(polls).toHaveLength(6);
  });

  it('exits 1 when the release fails, with the reason', async () => {
    serveStates(['prepared', 'deploying', 'testing', 'failed'], { failure: { step: 'test', message: 'smoke test red' } });
    const run = await waitFor();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('12:00:03 failed  codebuild\nRelease rel-1 failed: sample-service 9e8d7c6 in preproduction.\n  test: smoke test red\nDetails: cot show rel-1\n');
  });

  it.each(['rejected', 'expired', 'superseded'])('exits 1 when the release ends %s', async (end) => {
    serveStates(['prepared', end]);
    expect((await waitFor()).code).toBe(1);
  });

  it('with --json prints only the final release on stdout and the progress on stderr', async () => {
    serveStates(['prepared', 'deploying', 'accepted']);
    const run = await waitFor('--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ releaseId: 'rel-1', state: 'accepted' });
    expect(run.stderr).toContain('12:00:01 deploying  codebuild\n');
  });

  it('gives up after --timeout (1)', async () => {
    // Prepare: a release stuck in deploying, and a clock that each poll's sleep moves on.
    serveStates(['prepared', 'deploying']);
    let clock = Date.parse('2024-05-01T12:00:00Z');
    const io = {
      now: () => new Date(clock),
      sleep: async (ms: number) => {
        clock += ms;
      },
    };
    // Act
    const run = await runCot([...releaseArgs.map((arg) => arg || api.url), '--timeout', '5s'], io);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('gave up waiting after 0:05: release rel-1 is still deploying (cot show rel-1)\n');
    expect(api.requests.filter((request) => request.url === '/api/releases/rel-1')).toHaveLength(6);
  });

  it('keeps waiting through a failed poll (a 5xx) and stops on a 404', async () => {
    let polls = 0;
    api.handle((request) => {
      if (request.method === 'POST') return { status: 202, body: { releaseId: 'rel-1' } };
      polls += 1;
      if (polls === 1) return { status: 503, body: { error: 'unavailable', message: 'try again' } };
      if (polls === 2) return { status: 200, body: release('accepted', [{ state: 'accepted', at: '2024-05-01T12:00:00Z', by: 'qa' }]) };
      return { status: 404, body: { error: 'not_found', message: 'no release' } };
    });
    expect((await waitFor()).code).toBe(0);
  });
});
