import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';

export interface CotRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cot` in-process with captured output, no colours (not a TTY), clock times in UTC and an instant `sleep`. */
export async function runCot(args: string[], io: Partial<CliIo> = {}): Promise<CotRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'cot', ...args], {
    stdout: { write: (text) => void (stdout += text), isTTY: false },
    stderr: { write: (text) => void (stderr += text), isTTY: false },
    env: {},
    timeZone: 'UTC',
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
    stackOutputs: () => Promise.reject(new Error('no stack in tests')),
    ...io,
  });
  return { code, stdout, stderr };
}
