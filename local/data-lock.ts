import { closeSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another local mode runs on the same data folder; its message names the other one's port and PID. */
export class DataFolderBusyError extends Error {
  override readonly name = 'DataFolderBusyError';
}

export interface DataLock {
  /** Records the port once it is known, so a second instance can say where the first one answers. */
  setPort(port: number): void;
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly port?: number;
}

/**
 * One local mode per data folder: two would share DynamoDB Local's files and each other's approvals and
 * task tokens. The lock is a file created exclusively (`wx`), holding the owner's PID and port; a lock
 * whose process is gone (a `kill -9`, a crash) is stale and taken over.
 */
export function lockDataFolder(dataDir: string): DataLock {
  const file = join(dataDir, 'local-mode.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        if (holder.pid === -1) throw new DataFolderBusyError(`${file} is being written or is damaged: if no local mode runs on ${dataDir}, delete it`);
        const where = holder.port ? `http://127.0.0.1:${holder.port}` : 'a port not chosen yet';
        throw new DataFolderBusyError(`local mode is already running on ${dataDir} (PID ${holder.pid}, ${where}): stop it first, or use another --data folder`);
      }
      rmSync(file, { force: true });
      continue;
    }
    const write = (holder: Holder) => {
      ftruncateSync(fd, 0);
      writeSync(fd, JSON.stringify(holder), 0);
    };
    write({ pid: process.pid });
    return {
      setPort: (port) => write({ pid: process.pid, port }),
      release: () => {
        closeSync(fd);
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new DataFolderBusyError(`could not lock ${dataDir}: another local mode keeps taking it`);
}

function readHolder(file: string): Holder | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof value.pid === 'number' ? { pid: value.pid, ...(typeof value.port === 'number' ? { port: value.port } : {}) } : undefined;
  } catch {
    // Empty or half-written: the other instance is between open and write; treat it as held for now.
    return { pid: -1 };
  }
}

function isAlive(pid: number): boolean {
  if (pid === -1) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
