import { onTestFinished } from 'vitest';

/** Clean-ups asked for outside a test, run when the test file ends (`cleanUpFile`, from test/setup.ts). */
const atFileEnd: Array<() => unknown> = [];

/**
 * Runs `cleanUp` once whoever asked for it is done: at the end of the test when called inside one, else
 * when the test file ends (called at a file's top level or in a `beforeAll`). vitest never runs an
 * `afterAll` registered while tests run, inside a test or a `beforeAll`, so a helper cannot use one. Test
 * files share processes (vitest.config.mts): what a harness started must not outlive its file.
 */
export function whenDone(cleanUp: () => unknown): void {
  try {
    onTestFinished(async () => {
      await cleanUp();
    });
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('can only be called inside a test')) throw error;
    atFileEnd.push(cleanUp);
  }
}

/** Runs the clean-ups asked for outside a test, the latest first. */
export async function cleanUpFile(): Promise<void> {
  for (let cleanUp = atFileEnd.pop(); cleanUp; cleanUp = atFileEnd.pop()) await cleanUp();
}
