import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildspecHarness } from './git-fixture';

const { root, runSpec } = buildspecHarness('artifacts');
let outputs = 0;

/** The workspace every case starts from: sources committed, `dist/` made by the build. */
const SOURCES = { 'src/app.js': 'app', 'src/lib/util.js': 'util', 'README.md': 'readme', '.env.example': 'A=1' };
const BUILD = 'mkdir -p dist/assets && echo main > dist/main.js && echo style > dist/assets/site.css && echo map > dist/main.js.map';

function spec(artifacts: string[]): string {
  return ['version: 0.2', 'phases:', '  build:', `    commands: ["${BUILD}"]`, 'artifacts:', ...artifacts.map((line) => `  ${line}`), ''].join('\n');
}

/** Every file below `dir`, as sorted relative paths. */
function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files.sort();
}

describe('BuildspecRunner artifacts', () => {
  it.each([
    {
      name: '**/* takes every file of the source, dotfiles included, .git left out',
      artifacts: ['files: ["**/*"]'],
      expected: ['.env.example', 'README.md', 'buildspec.yml', 'dist/assets/site.css', 'dist/main.js', 'dist/main.js.map', 'src/app.js', 'src/lib/util.js'],
    },
    {
      name: 'base-directory makes paths relative to it',
      artifacts: ['base-directory: dist', 'files: ["**/*"]'],
      expected: ['assets/site.css', 'main.js', 'main.js.map'],
    },
    {
      name: 'several patterns, each relative to the source',
      artifacts: ['files:', '  - "dist/*.js"', '  - src/**/*.js'],
      expected: ['dist/main.js', 'src/app.js', 'src/lib/util.js'],
    },
    {
      name: 'discard-paths keeps only the file names',
      artifacts: ['discard-paths: yes', 'files: ["src/**/*", dist/assets/site.css]'],
      expected: ['app.js', 'site.css', 'util.js'],
    },
    {
      name: 'a folder name takes the files below it',
      artifacts: ['files: [dist/assets/]'],
      expected: ['dist/assets/site.css'],
    },
    {
      name: 'exclude-paths leaves matches out',
      artifacts: ['base-directory: dist', 'files: ["**/*"]', 'exclude-paths: ["**/*.map"]'],
      expected: ['assets/site.css', 'main.js'],
    },
  ])('$name', async ({ artifacts, expected }) => {
    // Prepare
    const output = join(root, 'artifacts', String(++outputs));

    // Act
    const result = await runSpec(spec(artifacts), { files: SOURCES, run: { artifactOutputDir: output } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(listFiles(output)).toEqual(expected);
    expect(result.phases.at(-1)).toMatchObject({ phaseType: 'UPLOAD_ARTIFACTS', phaseStatus: 'SUCCEEDED' });
  });

  it('replaces what an earlier build of the same commit left in the output', async () => {
    // Prepare
    const output = join(root, 'artifacts', 'replaced');
    mkdirSync(output, { recursive: true });
    writeFileSync(join(output, 'stale.txt'), 'from before');

    // Act
    const result = await runSpec(spec(['base-directory: dist', 'files: [main.js]']), { run: { artifactOutputDir: output } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(listFiles(output)).toEqual(['main.js']);
    expect(readFileSync(join(output, 'main.js'), 'utf8')).toBe('main\n');
  });

  it.each([
    ['no file matches', ['files: ["**/*.jar"]'], 'no matching artifact paths found'],
    ['the base directory does not exist', ['base-directory: build', 'files: ["**/*"]'], 'no matching base directory path found for build'],
    ['the base directory climbs out of the source', ['base-directory: ../..', 'files: ["**/*"]'], 'artifacts.base-directory must stay inside the source directory'],
    ['a pattern climbs out of the source', ['files: [../../etc/passwd]'], 'must stay inside the source directory'],
  ])('fails in UPLOAD_ARTIFACTS when %s, and stores nothing', async (_case, artifacts, message) => {
    // Prepare
    const output = join(root, 'artifacts', String(++outputs));

    // Act
    const result = await runSpec(spec(artifacts), { run: { artifactOutputDir: output } });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'UPLOAD_ARTIFACTS' });
    expect(result.message).toContain(message);
    expect(existsSync(output)).toBe(false);
  });

  it('stores nothing when the build failed', async () => {
    // Prepare
    const output = join(root, 'artifacts', String(++outputs));
    const buildspec = spec(['files: ["**/*"]']).replace(`"${BUILD}"`, `"${BUILD}", "false"`);

    // Act
    const result = await runSpec(buildspec, { run: { artifactOutputDir: output } });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', failedPhase: 'BUILD' });
    expect(result.phases.map((phase) => phase.phaseType)).not.toContain('UPLOAD_ARTIFACTS');
    expect(existsSync(output)).toBe(false);
  });

  it('leaves an empty artifact when the buildspec has no artifacts section', async () => {
    // Prepare
    const output = join(root, 'artifacts', String(++outputs));

    // Act
    const result = await runSpec('version: 0.2\nphases:\n  build: { commands: ["true"] }\n', { run: { artifactOutputDir: output } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(readdirSync(output)).toEqual([]);
  });
});
