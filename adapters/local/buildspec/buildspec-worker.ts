import { parentPort, workerData } from 'node:worker_threads';
import { BuildspecRunner, type BuildspecRunnerOptions } from './buildspec-runner';
import type { BuildspecRun } from './types';
import type { FromThread, ToThread } from './threaded-runner';

/**
 * The thread `ThreadedBuildspecRunner` starts: runs each buildspec it is sent with a `BuildspecRunner`,
 * and posts back the run's output line by line and its result.
 */
const port = parentPort;
if (!port) throw new Error('buildspec-worker.ts runs as a worker thread (ThreadedBuildspecRunner)');
const runner = new BuildspecRunner(workerData as BuildspecRunnerOptions);
const post = (message: FromThread) => port.postMessage(message);

port.on('message', (message: ToThread) => {
  if ('stop' in message) {
    // Between two steps of this thread, never in the middle of one: every command a run started has been
    // told to the runner, which kills their process groups and the runs' watchers; the thread ends in the
    // same turn, so no later step starts another.
    runner.killAll();
    process.exit(0);
  }
  const { id, run } = message;
  const withOutput: BuildspecRun = {
    ...run,
    ...(run.streamOutput ? { onOutput: (line: string) => post({ id, line }) } : {}),
    // Should this thread die, the runner kills what the run started (ThreadedBuildspecRunner).
    onProcessGroup: (group: number) => post({ id, group }),
  };
  runner.run(withOutput).then(
    (result) => post({ id, result }),
    (error: unknown) => post({ id, error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } }),
  );
});
