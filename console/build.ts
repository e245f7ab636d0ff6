import { build, buildSync, type BuildOptions } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAssets } from '../core/console-routes';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The console's script and style (docs/console.md#assets-and-page-security), bundled by the project's own esbuild from
 * `console/app/main.ts` and `console/console.css`: one file each, minified, nothing fetched at run time.
 * The stack bundles them at synth time into the console function's code; local mode on first request.
 */
const OPTIONS = {
  // Both are named `console`: esbuild adds `.js` and `.css`.
  entryPoints: [
    { in: join(HERE, 'app', 'main.ts'), out: 'console' },
    { in: join(HERE, 'console.css'), out: 'console' },
  ],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
  logLevel: 'silent',
  legalComments: 'none',
} satisfies BuildOptions;

export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  const result = await build({ ...OPTIONS, outdir: 'out', write: false });
  const file = (name: string) => {
    const found = result.outputFiles.find((output) => output.path.endsWith(`/${name}`));
    if (!found) throw new Error(`esbuild made no ${name}`);
    return found.text;
  };
  return { 'console.js': file('console.js'), 'console.css': file('console.css') };
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

/**
 * The same build, synchronously, written into `dir`: the CDK app stages the assets this way while it
 * constructs the console function (constructors cannot wait).
 */
export function writeConsoleAssetsSync(dir: string): Record<keyof ConsoleAssets, string> {
  const result = buildSync({ ...OPTIONS, outdir: dir, write: true });
  if (result.errors.length > 0) throw new Error(`the console's assets did not build: ${result.errors.map((error) => error.text).join('; ')}`);
  return { 'console.js': join(dir, 'console.js'), 'console.css': join(dir, 'console.css') };
}
