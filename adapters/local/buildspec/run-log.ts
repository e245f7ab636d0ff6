import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** How many lines of output a failure carries, for the console of local mode. */
export const LAST_LINES = 20;

/**
 * The log of one run: command output and `[Container]` header lines in the format of CodeBuild's own
 * log, appended to a file, passed live to `onOutput`, and the last lines kept for the failure report.
 */
export class RunLog {
  private readonly stream: WriteStream;
  private readonly tail: string[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    readonly file: string,
    private readonly onOutput?: (line: string) => void,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: 'a' });
  }

  /** A line of our own, prefixed like CodeBuild's (`[Container] 2024/05/01 12:00:00.123 ...`). */
  header(message: string): void {
    this.flushPartial();
    for (const line of message.split('\n')) {
      const text = `[Container] ${timestamp()} ${line}`;
      this.stream.write(`${text}\n`);
      this.addLine(text);
    }
  }

  /** Raw output of a command; split into lines for `onOutput` and the tail, written to the file as is. */
  output(chunk: Buffer): void {
    this.stream.write(chunk);
    const lines = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.addLine(line.replace(/\r$/, ''));
  }

  /** Ends the current command's output: a last line without a newline still counts. */
  flushPartial(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) {
      this.stream.write('\n');
      this.addLine(rest.replace(/\r$/, ''));
    }
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  /** Resolves once everything is on disk, so callers may read the file right away. */
  close(): Promise<void> {
    this.flushPartial();
    return new Promise((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }

  private addLine(line: string): void {
    this.tail.push(line);
    if (this.tail.length > LAST_LINES) this.tail.shift();
    try {
      this.onOutput?.(line);
    } catch {
      // A broken live printer must not fail the build; the file and the tail still have the line.
    }
  }
}

function timestamp(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '').replaceAll('-', '/');
}
