import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReleaseConfig } from '../../core/config';
import type { Verdicts } from './workflow/validate-definition';
import type { CfnTemplate } from './workflow';

/**
 * Local mode's start-up cache (docs/architecture.md#start-up): the template `synthesizeReleaseTemplate`
 * made, kept in the data folder with a digest of everything it was made from, and the asl-validator
 * verdicts on the definitions rendered from it. It is used only while every one of those digests still
 * matches; otherwise the stack is synthesized again and the cache rewritten. Deleting it is always safe.
 */
export const TEMPLATE_CACHE_FILE = join('cache', 'release-template.json');

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The module that synthesizes the template: its import graph is every source file the template depends on. */
const SYNTH_MODULE = join(PROJECT_ROOT, 'adapters', 'local', 'release-template.ts');
/** Raise when the entry's shape or meaning changes: an entry of another format is never read. */
const FORMAT = 1;

/** Digests (SHA-256) of what a template was made from. */
interface Inputs {
  /** Node's version, the project folder, and every `CDK_*` variable (the CDK app reads its context from them). */
  readonly environment: string;
  /** The config as synthesized: the parsed file, every field it holds. */
  readonly config: string;
  /** The installed packages: npm's record of `node_modules` and the project's lockfile. */
  readonly packages: string;
  /**
   * Each source file in the synthesizing module's import graph (path relative to the project) -> its
   * content's digest; and each folder holding one (`lib/`) -> the digest of its list of names, so that a
   * new file that would change how an import resolves is a change too.
   */
  readonly sources: Readonly<Record<string, string>>;
}

interface CacheEntry {
  readonly format: typeof FORMAT;
  readonly inputs: Inputs;
  readonly template: CfnTemplate;
  readonly verdicts: Verdicts;
}

export interface TemplateCacheOptions {
  /** The cache file (`<data>/cache/release-template.json` in local mode). */
  readonly file: string;
  readonly config: ReleaseConfig;
  /** Synthesizes the template; called only when the cache cannot answer. Imported late by the caller (see `cachedReleaseTemplate`). */
  readonly synthesize: (config: ReleaseConfig) => CfnTemplate | Promise<CfnTemplate>;
  /** @default this project's folder */
  readonly root?: string;
  /** @default adapters/local/release-template.ts */
  readonly entryPoint?: string;
}

export interface CachedTemplate {
  readonly template: CfnTemplate;
  /** Whether it came from the cache (false: synthesized now). */
  readonly fromCache: boolean;
  /** asl-validator verdicts on its definitions, kept from earlier starts. */
  readonly verdicts: Verdicts;
  /** Keeps the verdicts known now with the template, for the next start. */
  saveVerdicts(verdicts: Verdicts): Promise<void>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The template of the stack for `config`, from the cache when nothing it was made from has changed, else
 * synthesized by `options.synthesize` and cached.
 *
 * Never stale: on a miss the source files are hashed *before* `synthesize` runs, so a file changed while it
 * runs leaves an entry whose digest no longer matches, and the next start synthesizes again. For the same
 * reason the caller must not have imported the stack's modules before this resolves when it can miss
 * (local mode imports them lazily); a process that already holds them may cache what it synthesizes only
 * if the files have not changed since it loaded them.
 */
export async function cachedReleaseTemplate(options: TemplateCacheOptions): Promise<CachedTemplate> {
  const root = options.root ?? PROJECT_ROOT;
  const entry = await readEntry(options.file);
  const fixed = { environment: environmentDigest(root), config: sha256(JSON.stringify(options.config)), packages: await packagesDigest(root) };
  if (entry && entry.inputs.environment === fixed.environment && entry.inputs.config === fixed.config && entry.inputs.packages === fixed.packages) {
    const sources = await sourceDigests(root, Object.keys(entry.inputs.sources));
    if (sameDigests(sources, entry.inputs.sources)) return cached(options.file, entry, true);
  }
  const graph = await importGraph(root, options.entryPoint ?? SYNTH_MODULE).catch(() => undefined);
  const sources = graph && (await sourceDigests(root, [...graph, ...new Set(graph.map((file) => `${dirname(file)}/`))]));
  const template = await options.synthesize(options.config);
  const fresh: CacheEntry = { format: FORMAT, inputs: { ...fixed, sources: sources ?? {} }, template, verdicts: {} };
  // Without its sources known the template is not kept (an entry without sources never matches); a cache
  // that cannot be written only costs the next start a synth.
  if (sources) await writeEntry(options.file, fresh).catch(() => undefined);
  return cached(options.file, fresh, false);
}

function cached(file: string, entry: CacheEntry, fromCache: boolean): CachedTemplate {
  return {
    template: entry.template,
    fromCache,
    verdicts: entry.verdicts,
    saveVerdicts: async (verdicts) => {
      const known = { ...entry.verdicts, ...verdicts };
      if (Object.keys(entry.inputs.sources).length === 0 || Object.keys(known).length === Object.keys(entry.verdicts).length) return;
      await writeEntry(file, { ...entry, verdicts: known }).catch(() => undefined);
    },
  };
}

async function readEntry(file: string): Promise<CacheEntry | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as CacheEntry;
    return entry.format === FORMAT && entry.inputs && typeof entry.inputs.sources === 'object' && entry.inputs.sources !== null && entry.template && entry.verdicts ? entry : undefined;
  } catch {
    // Missing, half-written by a crash, or not ours: synthesize and write it anew.
    return undefined;
  }
}

/** Written to a temporary file then renamed over the old one: a reader sees the old entry or the new, whole. */
async function writeEntry(file: string, entry: CacheEntry): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function environmentDigest(root: string): string {
  const cdk = Object.entries(process.env)
    .filter(([name]) => name.startsWith('CDK_'))
    .sort(([a], [b]) => a.localeCompare(b));
  return sha256(JSON.stringify([process.version, root, cdk]));
}

async function packagesDigest(root: string): Promise<string> {
  // tsconfig.json too: tsx and esbuild read it (class fields, paths) when they load the stack's sources.
  const files = [join(root, 'node_modules', '.package-lock.json'), join(root, 'package-lock.json'), join(root, 'package.json'), join(root, 'tsconfig.json')];
  const contents = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => null)));
  return sha256(JSON.stringify(contents));
}

/**
 * Each file's content digest, each folder's (a name ending in `/`) the digest of its sorted names; what
 * cannot be read has none, which never matches a recorded one.
 */
async function sourceDigests(root: string, names: readonly string[]): Promise<Record<string, string>> {
  const digest = (name: string) =>
    name.endsWith('/') ? readdir(join(root, name)).then((entries) => sha256(JSON.stringify(entries.sort()))) : readFile(join(root, name)).then(sha256);
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await digest(name).catch(() => 'unreadable')] as const)));
}

function sameDigests(now: Readonly<Record<string, string>>, recorded: Readonly<Record<string, string>>): boolean {
  const files = Object.keys(recorded);
  return files.length > 0 && files.every((file) => now[file] === recorded[file]);
}

/**
 * The project's source files `entryPoint` imports, directly or not, as esbuild resolves them (packages left
 * out: the lockfiles stand for them). Relative to `root`; a file outside it would be a reason not to cache.
 */
async function importGraph(root: string, entryPoint: string): Promise<string[]> {
  const { build } = await import('esbuild');
  const result = await build({ entryPoints: [entryPoint], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent', absWorkingDir: root });
  const files = Object.keys(result.metafile.inputs).map((input) => relative(root, resolve(root, input)));
  const outside = files.find((file) => file.startsWith('..') || isAbsolute(file));
  if (outside !== undefined) throw new Error(`the stack imports ${outside}, outside the project folder ${root}`);
  return files.sort();
}
