import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAssets } from '../core/console-routes';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The console's script and style (docs/console.md#assets), bundled by the project's own esbuild from
 * `console/app/main.ts` and `console/console.css`: one file each, minified, nothing fetched at run time.
 * The stack bundles them at synth time into the console function's code; local mode on first request.
 */
export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: { 'console.js': join(HERE, 'app', 'main.ts'), 'console.css': join(HERE, 'console.css') },
    entryNames: '[name]',
    outdir: 'out',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const file = (name: string) => {
    const found = result.outputFiles.find((output) => output.path.endsWith(`/${name}`) || output.path.endsWith(`/${name}.js`) || output.path.endsWith(`/${name}.css`));
    if (!found) throw new Error(`esbuild made no ${name}`);
    return found.text;
  };
  return { 'console.js': file('console.js'), 'console.css': file('console.css') };
}

/** Writes the assets into `dir` (the stack stages them there for the function's bundle). */
export async function writeConsoleAssets(dir: string): Promise<void> {
  const assets = await buildConsoleAssets();
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(assets)) writeFileSync(join(dir, name), content);
}

/** Builds once, on first use. */
export function lazyConsoleAssets(): () => Promise<ConsoleAssets> {
  let built: Promise<ConsoleAssets> | undefined;
  return () => {
    built ??= buildConsoleAssets().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
