import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { BuildspecArtifacts } from './buildspec-schema';

/** The artifacts section cannot be honoured; the message is CodeBuild's where it has one. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
}

/**
 * Copies the files that `artifacts` selects from the workspace into `outputDir`, replacing what was there.
 * Returns the number of files copied.
 *
 * The copy goes to a sibling folder that is renamed into place at the end, so a deploy reading the
 * artifact of a commit never sees half of it.
 */
export async function collectArtifacts(artifacts: BuildspecArtifacts, sourceDir: string, outputDir: string): Promise<number> {
  const baseDir = inside(sourceDir, artifacts['base-directory'] ?? '.', 'artifacts.base-directory');
  if (!existsSync(baseDir) || !statSync(baseDir).isDirectory()) {
    throw new ArtifactError(`no matching base directory path found for ${artifacts['base-directory']}`);
  }
  const patterns = artifacts.files.map((pattern) => toPattern(baseDir, pattern));
  const files = await glob(patterns, {
    cwd: baseDir,
    dot: true,
    onlyFiles: true,
    expandDirectories: false,
    // The workspace's .git borrows the repository's objects: copying it would make a broken artifact.
    ignore: ['.git/**', ...(artifacts['exclude-paths'] ?? [])],
  });
  if (files.length === 0) {
    throw new ArtifactError(`no matching artifact paths found (files: ${artifacts.files.join(', ')}, base directory: ${relative(sourceDir, baseDir) || '.'})`);
  }

  mkdirSync(dirname(outputDir), { recursive: true });
  const staging = mkdtempSync(`${outputDir}.partial-`);
  try {
    for (const file of files.sort()) {
      const target = join(staging, artifacts['discard-paths'] ? basename(file) : file);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(baseDir, file), target);
    }
    rmSync(outputDir, { recursive: true, force: true });
    renameSync(staging, outputDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return files.length;
}

/** A pattern that names a folder (`dist`) takes the files below it, which is what people mean. */
function toPattern(baseDir: string, pattern: string): string {
  const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  inside(baseDir, clean, `artifacts.files entry "${pattern}"`);
  if (!isDynamicPattern(clean) && existsSync(join(baseDir, clean)) && statSync(join(baseDir, clean)).isDirectory()) {
    return `${clean}/**/*`;
  }
  return clean;
}

/** Resolves `path` below `root`; a path that climbs out would let a buildspec copy any file of the machine. */
function inside(root: string, path: string, what: string): string {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ArtifactError(`${what} must stay inside the source directory, got "${path}"`);
  }
  return full;
}
