import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cachedReleaseTemplate, TEMPLATE_CACHE_FILE } from '../../../adapters/local/release-template-cache';
import { synthesizeReleaseTemplate } from '../../../adapters/local/release-template';
import type { CfnTemplate } from '../../../adapters/local/workflow';
import type { ReleaseConfig } from '../../../core/config';
import { loadConfig } from '../../../core/config-file';
import { tempDir } from '../../support/temp-dir';


const shipped = loadConfig('release.config.yaml');

/**
 * A project of its own: an entry point that imports `lib/stack.ts`, which imports `lib/parts.ts`; its
 * "template" names the config's product and the parts' text, so a stale one would show.
 */
function project(): { root: string; file: string; entryPoint: string; synthesize: ReturnType<typeof vi.fn<(config: ReleaseConfig) => CfnTemplate>> } {
  const root = tempDir('template-cache');
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'entry.ts'), "import { stack } from './lib/stack';\nexport const template = stack;\n");
  writeFileSync(join(root, 'lib', 'stack.ts'), "import { parts } from './parts';\nexport const stack = { parts };\n");
  writeFileSync(join(root, 'lib', 'parts.ts'), "export const parts = 'version 1';\n");
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/aws-cdk-lib': { version: '2.276.0' } } }));
  const synthesize = vi.fn((config: ReleaseConfig): CfnTemplate => ({ Resources: { Product: { Type: 'Test::Product', Properties: { name: config.product, parts: readFileSync(join(root, 'lib', 'parts.ts'), 'utf8') } } } }));
  return { root, file: join(tempDir('template-cache'), TEMPLATE_CACHE_FILE), entryPoint: join(root, 'entry.ts'), synthesize };
}

describe("local mode's template cache", () => {
  it('answers from the cache when neither the config, the sources nor the packages changed', async () => {
    // Prepare
    const { synthesize, ...where } = project();
    const first = await cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Act
    const second = await cachedReleaseTemplate({ ...where, config: loadConfig('release.config.yaml'), synthesize });

    // Assess
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(synthesize).toHaveBeenCalledTimes(1);
    expect(second.template).toEqual(first.template);
  });

  it.each([
    ['the config', (_root: string, config: ReleaseConfig) => ({ ...config, product: 'other-product' })],
    ['a source file the entry point imports indirectly', (root: string, config: ReleaseConfig) => (writeFileSync(join(root, 'lib', 'parts.ts'), "export const parts = 'version 2';\n"), config)],
    ['the files of a folder the stack imports from (a new file may change how an import resolves)', (root: string, config: ReleaseConfig) => (writeFileSync(join(root, 'lib', 'stack.tsx'), 'export const stack = {};\n'), config)],
    ['the installed packages', (root: string, config: ReleaseConfig) => (writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/aws-cdk-lib': { version: '2.277.0' } } })), config)],
    ['the TypeScript settings the sources load with', (root: string, config: ReleaseConfig) => (writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { useDefineForClassFields: false } })), config)],
  ])('synthesizes again when %s changed', async (_what, change) => {
    // Prepare
    const { synthesize, ...where } = project();
    await cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Act
    const config = change(where.root, shipped);
    const again = await cachedReleaseTemplate({ ...where, config, synthesize });

    // Assess: synthesized from what is there now, and that is what the next start finds.
    expect(again.fromCache).toBe(false);
    expect(synthesize).toHaveBeenCalledTimes(2);
    expect(again.template).toEqual(synthesize.mock.results[1]?.value);
    const next = await cachedReleaseTemplate({ ...where, config, synthesize });
    expect(next.fromCache).toBe(true);
    expect(next.template).toEqual(again.template);
  });

  it('synthesizes again when a source file changes while the stack is synthesized, on the start after', async () => {
    // Prepare: the file changes after its digest was taken, as if saved during a start.
    const { synthesize, ...where } = project();
    synthesize.mockImplementationOnce((config) => {
      writeFileSync(join(where.root, 'lib', 'parts.ts'), "export const parts = 'saved during the synth';\n");
      return { Resources: { Product: { Type: 'Test::Product', Properties: { name: config.product, parts: 'version 1' } } } };
    });
    await cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Act
    const next = await cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Assess
    expect(next.fromCache).toBe(false);
    expect(next.template.Resources?.Product?.Properties?.parts).toBe("export const parts = 'saved during the synth';\n");
  });

  it('synthesizes when the cache file is damaged, and writes it whole again', async () => {
    // Prepare
    const { synthesize, ...where } = project();
    await cachedReleaseTemplate({ ...where, config: shipped, synthesize });
    writeFileSync(where.file, readFileSync(where.file, 'utf8').slice(0, 100));

    // Act
    const again = await cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Assess
    expect(again.fromCache).toBe(false);
    expect((await cachedReleaseTemplate({ ...where, config: shipped, synthesize })).fromCache).toBe(true);
  });

  it('keeps the verdicts given for the next start, and drops them with the template', async () => {
    // Prepare
    const { synthesize, ...where } = project();
    const first = await cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Act
    await first.saveVerdicts({ abc: [], def: ['SCHEMA_VALIDATION_FAILED: bad'] });

    // Assess
    expect((await cachedReleaseTemplate({ ...where, config: shipped, synthesize })).verdicts).toEqual({ abc: [], def: ['SCHEMA_VALIDATION_FAILED: bad'] });
    expect((await cachedReleaseTemplate({ ...where, config: { ...shipped, product: 'other-product' }, synthesize })).verdicts).toEqual({});
  });

  it('keeps nothing when synthesizing fails', async () => {
    // Prepare
    const { synthesize, ...where } = project();
    synthesize.mockImplementationOnce(() => {
      throw new Error('synth failed');
    });

    // Act
    const failed = cachedReleaseTemplate({ ...where, config: shipped, synthesize });

    // Assess
    await expect(failed).rejects.toThrow('synth failed');
    expect((await cachedReleaseTemplate({ ...where, config: shipped, synthesize })).fromCache).toBe(false);
  });

  it("of this project: the cached template is the one the stack synthesizes, and the stack's sources are what it depends on", async () => {
    // Prepare
    const file = join(tempDir('template-cache'), TEMPLATE_CACHE_FILE);
    await cachedReleaseTemplate({ file, config: shipped, synthesize: synthesizeReleaseTemplate });

    // Act
    const cached = await cachedReleaseTemplate({ file, config: shipped, synthesize: () => expect.unreachable('synthesized again') });

    // Assess
    expect(cached.fromCache).toBe(true);
    expect(cached.template).toEqual(synthesizeReleaseTemplate(shipped));
    const sources = Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { inputs: { sources: Record<string, string> } }).inputs.sources);
    expect(sources).toEqual(expect.arrayContaining(['adapters/local/release-template.ts', 'lib/release-stack.ts', 'lib/continuous-workflow.ts', 'lib/promotion-workflow.ts', 'core/config.ts', 'lib/']));
  }, 60_000);
});
