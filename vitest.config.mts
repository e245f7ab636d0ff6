import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { ISOLATED_FILES } from './test/isolated-files';

const ISOLATED_PROJECT = 'isolated';

/**
 * Folders and files that take longest: they wait on workflow runs, child processes (local mode, git, the
 * CDK app) and the browser, or make thousands of CMDB requests (the property tests). They start first,
 * in this order, so that with several files running side by side no long one is left to run alone at the
 * end, even without the timings of an earlier run (a fresh clone, as in CI).
 */
const SLOW_FIRST = [
  'test/e2e/',
  'test/local/',
  'test/browser/',
  'test/bin/',
  'test/core/push-order.test.ts',
  'test/workflows/',
  'test/core/order-property.test.ts',
  'test/adapters/aws/dynamo-cmdb-board-agreement.test.ts',
  'test/lib/held-back.test.ts',
  'test/adapters/aws/advance-head-property.test.ts',
  'test/lib/handler-function.test.ts',
  'test/core/one-release-at-a-time.test.ts',
  'test/lib/chat-notifications.test.ts',
  'test/lib/aws-targets.test.ts',
];

/**
 * vitest's order (longest first by the last run's timings, else larger files first), `SLOW_FIRST` first,
 * and the isolated project's files before all of them. A process of the shared project is kept for the
 * next file only when the file at the head of the queue is a shared one too: an isolated file there ends
 * it, and the next shared file starts a new process that loads the CDK, the SDK and the rest again.
 * Isolated first (the slow ones first among them), no shared process has to start again.
 */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const path = relative(this.ctx.config.root, file.moduleId);
      const index = SLOW_FIRST.findIndex((prefix) => path.startsWith(prefix));
      const slow = index < 0 ? SLOW_FIRST.length : index;
      return file.project.name === ISOLATED_PROJECT ? slow - SLOW_FIRST.length - 1 : slow;
    };
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: within a rank, vitest's own order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}


export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: ISOLATED_PROJECT, include: [...ISOLATED_FILES], isolate: true } },
      // The rest run one after another in a few processes that keep every module they loaded (the CDK,
      // the SDK, the workflow interpreter, this repository's own) from file to
      // file: test/setup.ts runs again before each file, harnesses close what they started
      // (test/support/local-harness.ts), and test/lint/test-isolation.test.ts keeps out what would leak.
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...ISOLATED_FILES], isolate: false } },
    ],
    // Most test files spend their time waiting (DynamoDB Local, child processes, workflow runs), so a
    // few run side by side even on 2 cores; vitest's default (one fewer than the cores) runs them one
    // after another there. Side by side, files share DynamoDB Local, where each makes its own tables, and
    // the folder of synthesized templates (test/global-setup.ts).
    maxWorkers: 3,
    sequence: { sequencer: SlowFirstSequencer },
  },
});
