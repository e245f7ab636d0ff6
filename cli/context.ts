import type { Command } from 'commander';
import type { ApiClient } from './api-client';
import { connect, type GlobalOptions } from './endpoint';
import { colorEnabled, type CliIo, type Output } from './io';
import type { RenderOptions } from './render/options';

/** What every command's action gets besides its own arguments. */
export interface CommandContext {
  readonly io: CliIo;
  /** A client for the API that the global options (`--endpoint`, `--stack`, `--config`) point at. */
  client(command: Command): Promise<ApiClient>;
  /** A command that returns normally exits 0 unless it says otherwise here. */
  setExitCode(code: number): void;
  readonly exitCode: number;
}

export function createContext(io: CliIo): CommandContext {
  let exitCode = 0;
  return {
    io,
    client: (command) => connect(command.optsWithGlobals<GlobalOptions>(), io),
    setExitCode: (code) => {
      exitCode = code;
    },
    get exitCode() {
      return exitCode;
    },
  };
}

/** `--json` prints the API's answer and nothing else, pretty, so that `jq` and people can both read it. */
export function printJson(output: Output, answer: unknown): void {
  output.write(`${JSON.stringify(answer, null, 2)}\n`);
}

export function renderOptionsFor(output: Output, io: CliIo): RenderOptions {
  return { now: io.now(), color: colorEnabled(output, io.env), timeZone: io.timeZone };
}

/** The "Examples:" block at the end of a command's `--help`. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
