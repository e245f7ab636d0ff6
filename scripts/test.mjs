#!/usr/bin/env node
// `npm test`: the static checks (scripts/check.mjs) and vitest at the same time. The checks use at most
// two cores for about 20 s, while vitest's first files mostly wait on the local-mode processes they start:
// side by side, the whole run is shorter by most of the checks' time. Arguments go to vitest
// (`npm test -- test/core`).
//
// The answer is the same as running one after the other: a check that fails stops vitest at once, prints
// its output and exits with its code, as if vitest had never started; otherwise vitest's output comes
// first, then each check's verdict, and the exit code is vitest's, else the checks'.
import { spawn } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';
import { report, runChecks } from './check.mjs';

const vitestBin = fileURLToPath(new URL('../node_modules/.bin/vitest', import.meta.url));

// Its own process group, so that stopping it stops its workers and what they started (local mode,
// Chromium) too; Ctrl-C reaches this process only, and is passed on.
const vitest = spawn(vitestBin, ['run', ...process.argv.slice(2)], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const stopVitest = (signal) => {
  try {
    process.kill(-vitest.pid, signal);
  } catch {
    // Already ended.
  }
};
const vitestEnded = new Promise((resolve) => {
  vitest.on('error', (error) => {
    process.stderr.write(`vitest did not start: ${error.message}\n`);
    resolve(1);
  });
  vitest.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

const checksStopped = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    checksStopped.abort();
    stopVitest(signal);
    process.exitCode = 130;
  });
}

const results = await runChecks(checksStopped.signal);
const failed = results.some((result) => result.code !== 0);
if (checksStopped.signal.aborted) {
  // Interrupted: vitest says what it had done; the checks were cut short and have nothing to say.
  await vitestEnded;
} else if (failed) {
  stopVitest('SIGTERM');
  await vitestEnded;
  process.stdout.write('\nnpm test: a static check failed; the tests were stopped.\n');
  process.exitCode = report(results);
} else {
  const vitestCode = await vitestEnded;
  const checksCode = report(results);
  process.exitCode ??= vitestCode !== 0 ? vitestCode : checksCode;
}
