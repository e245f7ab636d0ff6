import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessGroupReaper } from '../process-group-reaper';

/**
 * Amazon's DynamoDB Local, the CMDB of tests and local mode. The jar ships inside the npm package
 * `amplify-dynamodb-simulator`; installing that package would bring 350 MB, so we `npm pack` it once and
 * keep only its `emulator/` folder in a git-ignored cache.
 */
const EMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_EMULATOR_CACHE = join(PROJECT_ROOT, '.cache', 'dynamodb-local');

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor() {
    super(
      'DynamoDB Local (the CMDB of local mode and tests) needs Java 17 or newer, and no `java` was found on PATH.\n' +
        'Install it, for example: `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS).',
    );
  }
}

/** Java's failure to start at all (no `java` on PATH), as the error to show; undefined for any other. */
function javaMissing(error: NodeJS.ErrnoException): JavaMissingError | undefined {
  return error.code === 'ENOENT' ? new JavaMissingError() : undefined;
}

/** Makes sure the emulator is unpacked in `cacheDir` and returns that folder. Safe to call concurrently. */
export function ensureEmulator(cacheDir: string = DEFAULT_EMULATOR_CACHE): string {
  if (existsSync(join(cacheDir, 'DynamoDBLocal.jar'))) return cacheDir;
  mkdirSync(dirname(cacheDir), { recursive: true });
  const work = mkdtempSync(join(dirname(cacheDir), '.download-'));
  try {
    const tarball = execFileSync('npm', ['pack', EMULATOR_PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim().split('\n').pop();
    if (!tarball) throw new Error(`npm pack ${EMULATOR_PACKAGE} printed no file name`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator']);
    if (!existsSync(cacheDir)) renameSync(join(work, 'package', 'emulator'), cacheDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return cacheDir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** How long `stop()` gives Java after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 3000;

/**
 * Java's options for DynamoDB Local, an emulator that answers one developer or one test run, on a laptop
 * that also runs builds and browsers. Its JVM would otherwise spend most of its CPU compiling: with the
 * optimizing compiler (C2) turned off it boots faster and serves the same requests with about half the
 * CPU (docs/architecture.md#dynamodb-local). The serial collector needs no threads of its own, and no
 * `hsperfdata` file is written for monitoring tools.
 */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'];

export interface DynamoDbLocalOptions {
  /** Keep the tables in this folder (local mode); in memory when absent (tests). */
  readonly dbPath?: string;
  readonly port?: number;
  readonly cacheDir?: string;
}

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local on loopback and resolves once it answers. Java is spawned before the first await
 * when `port` is given, so the caller's own start-up work overlaps its boot; a missing `java` is found by
 * that spawn, not by a `java -version` first (a whole JVM start, blocking).
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const emulator = ensureEmulator(options.cacheDir);
  const port = options.port ?? (await freePort());
  const storage = options.dbPath ? ['-dbPath', resolve(options.dbPath)] : ['-inMemory'];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  // Run from a scratch folder, removed when it stops: DynamoDB Local writes a metadata file into its
  // working directory, and a copy of SQLite's native library (about 1 MB) into Java's temporary folder,
  // which Java deletes when it exits by SIGTERM but not when killed (by the watcher below, say).
  const cwd = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  const child = spawn(
    'java',
    [...JVM_OPTIONS, `-Djava.io.tmpdir=${cwd}`, '-Djava.library.path=' + join(emulator, 'DynamoDBLocal_lib'), '-jar', join(emulator, 'DynamoDBLocal.jar'), ...storage, '-disableTelemetry', '-port', String(port)],
    // Its own process group, killed by a watcher if this process is killed first: no Java left behind.
    { cwd, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // Should this process die first, its watcher kills Java and removes the scratch folder too.
  const reaper = new ProcessGroupReaper(cwd, undefined, { removeDir: true });
  if (child.pid !== undefined) reaper.add(child.pid);
  let spawnError: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => (spawnError = javaMissing(error) ?? error));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      // Java exits within half a second of SIGTERM; the wait for a Java that does not is cleared once it
      // has, or it would hold this process (vitest's end, a `cot local` stopping) for the rest of it.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, STOP_GRACE_MS)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    reaper.killAll();
    rmSync(cwd, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (spawnError) {
      await stop();
      throw spawnError;
    }
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}:\n${output}`);
    if (await answers(endpoint)) return { endpoint, port, process: child, stop };
    // Polled often: local mode's start waits on this answer.
    await new Promise((done) => setTimeout(done, 25));
  }
  await stop();
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    // Any HTTP answer (DynamoDB Local says 400 to a bare GET) means it is listening.
    await fetch(endpoint, { signal: AbortSignal.timeout(500) });
    return true;
  } catch {
    return false;
  }
}
