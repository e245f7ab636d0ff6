/** Where the CLI writes and what it reaches out to; `main` uses the process's own, tests pass their own. */
export interface Output {
  write(text: string): void;
  /** A person is watching: a spinner and colours are allowed. */
  readonly isTTY: boolean;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly fetch: Fetch;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  /** The IANA zone clock times are shown in; the machine's (`TZ`) when absent. */
  readonly timeZone?: string;
  readonly sleep: (ms: number) => Promise<void>;
  /** The outputs of a CloudFormation stack, by key. */
  readonly stackOutputs: (stackName: string) => Promise<Record<string, string>>;
}

export function processIo(): CliIo {
  return {
    stdout: streamOutput(process.stdout),
    stderr: streamOutput(process.stderr),
    fetch: (url, init) => fetch(url, init),
    env: process.env,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // Loaded on first use: the AWS SDK is slow to import and local mode never needs it.
    stackOutputs: async (stackName) => (await import('./stack-outputs')).readStackOutputs(stackName),
  };
}

function streamOutput(stream: NodeJS.WriteStream): Output {
  return { write: (text) => void stream.write(text), isTTY: stream.isTTY === true };
}

/** Colours only for a person, and never when they asked for none (https://no-color.org). */
export function colorEnabled(output: Output, env: CliIo['env']): boolean {
  return output.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}
