import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GOAL_MINUTES = 4;

/**
 * `npm test` as a developer and CI run it (the static checks while the whole vitest suite runs), timed:
 * only with `--suite` (it takes minutes and the machine's cores; the bench never runs it unasked).
 */
async function bench(): Promise<string> {
  if (!process.argv.includes('--suite')) return `not measured (npm run bench -- --suite times it; goal <= ${GOAL_MINUTES} min on 2 cores)`;
  const start = performance.now();
  let outcome = 'passed';
  try {
    await run('npm', ['test'], { maxBuffer: 64 * 1024 * 1024 });
  } catch {
    outcome = 'FAILED';
  }
  const seconds = (performance.now() - start) / 1000;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s, ${outcome} (goal <= ${GOAL_MINUTES} min on 2 cores)`;
}

export const suiteBench = { name: 'npm test (checks and vitest)', run: bench };
