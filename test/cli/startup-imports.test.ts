import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What every `cot` command loads before it does anything: the modules `bin/cot.ts` reaches by static
 * imports alone. esbuild splits what is imported dynamically into chunks of their own, so the entry
 * chunk and the chunks it imports statically are the start-up; the rest loads when a command needs it.
 */
async function startUp(): Promise<{ packages: Set<string>; files: string[] }> {
  const result = await build({
    entryPoints: ['bin/cot.ts'],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    metafile: true,
    write: false,
    outdir: 'startup',
    logLevel: 'silent',
  });
  const { outputs } = result.metafile;
  const entry = Object.keys(outputs).find((output) => outputs[output]!.entryPoint === 'bin/cot.ts')!;
  const packages = new Set<string>();
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    const chunk = outputs[output]!;
    files.push(...Object.keys(chunk.inputs));
    for (const imported of chunk.imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(imported.path.startsWith('@') ? imported.path.split('/').slice(0, 2).join('/') : imported.path.split('/')[0]!);
      else visit(imported.path);
    }
  };
  visit(entry);
  return { packages, files };
}

describe('cot start-up', () => {
  it('loads neither the AWS SDK, the request signer, the YAML parser nor local mode until a command needs them', async () => {
    const { packages, files } = await startUp();

    expect([...packages].filter((name) => /^(@aws-sdk|@smithy|@aws-crypto)\//.test(name) || name === 'yaml')).toEqual([]);
    expect(packages).toContain('commander');
    expect(files).toContain('cli/main.ts');
    expect(files.filter((file) => /^(local|adapters|lambdas|lib)\//.test(file) || file === 'core/config-file.ts' || file.startsWith('cli/doctor/aws'))).toEqual([]);
  });
});
