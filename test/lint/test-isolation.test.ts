import { existsSync, readFileSync } from 'node:fs';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { ISOLATED_FILES } from '../isolated-files';

/**
 * What a test file can change that outlives it in a process shared with the next files: module mocks,
 * spies and mocked SDK clients (aws-sdk-client-mock patches classes in node_modules, which stay loaded),
 * environment variables, fake timers, globals, process listeners, the working directory.
 */
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a module mock', /\bvi\.(mock|doMock)\(/],
  ['a spy', /\bvi\.spyOn\(/],
  ['a mocked SDK client', /\bmockClient\(/],
  [
    'an environment variable',
    /\bvi\.stubEnv\(|\bprocess\.env(\.\w+|\[[^\]]+\])?\s*(=[^=]|\?\?=|\|\|=|&&=)|\bdelete process\.env\b|\b(Object\.assign|Reflect\.deleteProperty|Reflect\.set|Object\.defineProperty)\(process\.env\b/,
  ],
  ['fake timers', /\bvi\.useFakeTimers\(/],
  ['a global', /\bvi\.stubGlobal\(|\bglobalThis\.\w+\s*(=[^=]|\?\?=)|\bObject\.defineProperty\((globalThis|process)\b|\bsetGlobalDispatcher\(/],
  ['a process listener', /\bprocess\.(on|once|prependListener|addListener)\(/],
  ['the working directory', /\bprocess\.chdir\(/],
];

const leaksOf = (file: string): string[] => {
  const source = readFileSync(file, 'utf8');
  return LEAKS.filter(([, pattern]) => pattern.test(source)).map(([what]) => what);
};

describe('test files sharing a process (vitest.config.mts)', () => {
  it('leave nothing behind: every file that mocks, spies or sets the environment runs in a process of its own', async () => {
    const files = (await glob('test/**/*.test.ts')).sort();
    const leaking = files.flatMap((file) => {
      const found = leaksOf(file);
      return found.length > 0 ? [`${file}: ${found.join(', ')}`] : [];
    });

    expect(leaking.filter((line) => !ISOLATED_FILES.includes(line.slice(0, line.indexOf(':'))))).toEqual([]);
    expect(leaking.length).toBeGreaterThan(0);
  });

  it('names only files that exist and need it', () => {
    for (const file of ISOLATED_FILES) {
      expect(existsSync(file), file).toBe(true);
      expect(leaksOf(file).length, `${file} changes nothing that outlives it: let it share a process`).toBeGreaterThan(0);
    }
  });

  it('use helpers that leave nothing behind either (test/support, test/setup.ts)', async () => {
    const helpers = (await glob(['test/support/**/*.ts', 'test/setup.ts'])).sort();
    // test/setup.ts sets the dummy credentials every file runs with, the same values each time.
    const leaking = helpers.filter((file) => file !== 'test/setup.ts').flatMap((file) => {
      const found = leaksOf(file);
      return found.length > 0 ? [`${file}: ${found.join(', ')}`] : [];
    });

    expect(helpers.length).toBeGreaterThan(10);
    expect(leaking).toEqual([]);
  });

  it('clean up through whenDone, never an afterAll a helper registers (vitest skips those made inside a test or a beforeAll)', async () => {
    const helpers = (await glob(['test/support/**/*.ts', 'test/**/*-harness.ts', 'test/**/*-fixture.ts'])).sort();

    const registering = helpers.filter((file) => /\bafterAll\(/.test(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));

    expect(helpers).toContain('test/support/when-done.ts');
    expect(registering).toEqual([]);
  });
});
