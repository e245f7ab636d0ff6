import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SecretStore } from '../../core/ports';

/** Where one secret comes from in local mode. */
export interface LocalSecretSource {
  /** An environment variable that wins when set (`COT_WEBHOOK_SECRET`). */
  readonly envVar?: string;
  /** File in the data folder, generated on first use (`webhook-secret`). Several names may share one file. */
  readonly file: string;
}

export interface FileSecretStoreOptions {
  readonly dataDir: string;
  /** Secret name -> source. A name not listed is kept in `<data>/secrets/<name with / as ->`. */
  readonly sources?: Readonly<Record<string, LocalSecretSource>>;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Local mode's Secrets Manager: a secret is an environment variable when set, else a file of the data
 * folder, generated once (32 random bytes as hex, letters and digits only, usable by every git host) and
 * kept, so links and webhooks signed before a restart still verify after it.
 */
export class FileSecretStore implements SecretStore {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly options: FileSecretStoreOptions) {}

  get(name: string): Promise<string> {
    const source = this.options.sources?.[name] ?? { file: join('secrets', name.replace(/[^A-Za-z0-9._-]/g, '-')) };
    const fromEnv = source.envVar ? (this.options.env ?? process.env)[source.envVar] : undefined;
    if (fromEnv) return Promise.resolve(fromEnv);
    const file = join(this.options.dataDir, source.file);
    // Cached by file, so two names sharing one file (and two first reads at once) generate it once.
    let reading = this.cache.get(file);
    if (!reading) {
      reading = readOrCreate(file);
      this.cache.set(file, reading);
      reading.catch(() => this.cache.delete(file));
    }
    return reading;
  }
}

async function readOrCreate(file: string): Promise<string> {
  try {
    return await readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(file), { recursive: true });
  const value = randomBytes(32).toString('hex');
  try {
    // `wx`: another process that created the file first wins, and both then use its value.
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readSecret(file);
  }
}

async function readSecret(file: string): Promise<string> {
  const value = (await readFile(file, 'utf8')).trim();
  // An empty secret would sign with an empty key: refuse, and say how to recover.
  if (!value) throw new Error(`secret file ${file} is empty: delete it and a new secret is generated`);
  return value;
}
