#!/usr/bin/env node
// `npm test`: the static checks (scripts/check.mjs) and vitest at the same time. On their own the checks
// take about 10 s on two cores (about 17 s of CPU; about 5 s once ESLint's cache holds the unchanged
// files), while vitest's first files mostly wait on the local-mode processes they start: side by side,
// the whole run is shorter by most of the checks' time.
// Arguments go to vitest (`npm test -- test/core`).
//
// The verdict is the one of running the checks first: a check that fails stops vitest as soon as it
// ends (if vitest has not ended already), and `npm test` exits with that check's code once both checks
// have ended. Otherwise vitest's output comes first, then each check's verdict, and the exit code is
// vitest's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath, URL } from 'node:url';
import { report, runChecks } from './check.mjs';

const vitestBin = fileURLToPath(new URL('../node_modules/.bin/vitest', import.meta.url));
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

// A process group of its own, so that stopping vitest stops its workers and what they started (local
// mode, Chromium) too. The terminal's signals reach npm, this script and the checks, not vitest: this
// script passes them on.
const vitest = spawn(vitestBin, ['run', ...process.argv.slice(2)], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const vitestRunning = () => vitest.pid !== undefined && vitest.exitCode === null && vitest.signalCode === null;
const killGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
};
const stopVitest = (signal) => {
  if (vitestRunning()) killGroup(vitest.pid, signal);
};

// Should this script die without passing a signal on (a `kill -9`), a small watcher stops vitest's group.
const watcher = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -TERM -${vitest.pid} 2>/dev/null`], { detached: true, stdio: 'ignore' });
watcher.on('error', () => undefined);
watcher.unref();

const vitestEnded = new Promise((resolve) => {
  vitest.on('error', (error) => {
    process.stderr.write(`vitest did not start: ${error.message}\n`);
    resolve(1);
  });
  vitest.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

const checksStopped = new AbortController();
for (const signal of FORWARDED) {
  process.on(signal, () => {
    checksStopped.abort();
    stopVitest(signal);
    process.exitCode = 128 + constants.signals[signal];
  });
}

let stoppedByCheck = false;
const results = await runChecks(checksStopped.signal, (result) => {
  if (result.code === 0 || checksStopped.signal.aborted || !vitestRunning()) return;
  stoppedByCheck = true;
  stopVitest('SIGTERM');
});
const vitestCode = await vitestEnded;
if (watcher.pid !== undefined) killGroup(watcher.pid, 'SIGKILL');

if (checksStopped.signal.aborted) {
  // Interrupted: vitest said what it had done; the checks were cut short and have nothing to say.
} else if (results.some((result) => result.code !== 0)) {
  process.stdout.write(`\nnpm test: a static check failed${stoppedByCheck ? '; the tests were stopped' : ''}.\n`);
  process.exitCode = report(results);
} else {
  report(results);
  process.exitCode = vitestCode;
}
