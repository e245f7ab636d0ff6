import { existsSync, readFileSync } from 'node:fs';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { ISOLATED_FILES } from '../isolated-files';

/**
 * What a test file can change that outlives it in a process shared with the next files: module mocks,
 * spies and mocked SDK clients (aws-sdk-client-mock patches classes in node_modules, which stay loaded),
 * environment variables, fake timers, globals, the working directory.
 */
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a module mock', /\bvi\.(mock|doMock)\(/],
  ['a spy', /\bvi\.spyOn\(/],
  ['a mocked SDK client', /\bmockClient\(/],
  ['an environment variable', /\bvi\.stubEnv\(|\bprocess\.env(\.\w+|\[[^\]]+\])\s*=[^=]|\bdelete process\.env\b|\bObject\.assign\(process\.env\b/],
  ['fake timers', /\bvi\.useFakeTimers\(/],
  ['a global', /\bvi\.stubGlobal\(/],
  ['the working directory', /\bprocess\.chdir\(/],
];

describe('test files sharing a process (vitest.config.mts)', () => {
  it('leave nothing behind: every file that mocks, spies or sets the environment runs in a process of its own', async () => {
    const files = (await glob('test/**/*.test.ts')).sort();
    const leaking = files.flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      const found = LEAKS.filter(([, pattern]) => pattern.test(source)).map(([what]) => what);
      return found.length > 0 ? [`${file}: ${found.join(', ')}`] : [];
    });

    expect(leaking.filter((line) => !ISOLATED_FILES.includes(line.slice(0, line.indexOf(':'))))).toEqual([]);
    expect(leaking.length).toBeGreaterThan(0);
  });

  it('names only files that exist and need it', () => {
    for (const file of ISOLATED_FILES) {
      expect(existsSync(file), file).toBe(true);
      const source = readFileSync(file, 'utf8');
      expect(LEAKS.some(([, pattern]) => pattern.test(source)), `${file} changes nothing that outlives it: let it share a process`).toBe(true);
    }
  });
});
