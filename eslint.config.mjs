import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * docs/architecture.md#import-rules, checked: a relative import of one of `folders` (top-level folders of
 * this repository) from the layer `from`. test/lint/layering.test.ts makes sure these keep firing.
 */
function noImportOf(from, folders) {
  return {
    regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
    message: `${from}/ may not import ${folders.map((folder) => `${folder}/`).join(', ')} (docs/architecture.md#import-rules).`,
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.cot/', '.cache/', 'examples/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^@aws-sdk/', message: 'core/ is free of AWS: SDK calls belong in an adapter behind a port (docs/architecture.md#import-rules).' },
          { regex: '^(aws-cdk-lib|constructs)(/|$)', message: 'core/ is free of infrastructure: constructs belong in lib/ (docs/architecture.md#import-rules).' },
          noImportOf('core', ['lambdas', 'adapters', 'local', 'lib', 'cli']),
        ],
      }],
    },
  },
  {
    files: ['lambdas/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noImportOf('lambdas', ['local', 'lib'])] }] },
  },
  {
    files: ['lib/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          noImportOf('lib', ['local', 'cli']),
          // The CDK app shares data with the code it deploys, never the code itself (nor the SDK it pulls in).
          {
            regex: '^(\\.\\./)+(adapters|lambdas)/(?!(aws/cmdb-schema|aws/cmdb-access|handler-environment)$)',
            message: 'lib/ imports of adapters/ and lambdas/ only cmdb-schema.ts, cmdb-access.ts and handler-environment.ts (docs/architecture.md#import-rules).',
          },
        ],
      }],
    },
  },
  {
    // The console's page script runs in the browser: plain DOM, no package, and of this repository only core/.
    files: ['console/app/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          noImportOf('console/app', ['lambdas', 'adapters', 'local', 'lib', 'cli']),
          { regex: '^[^.]', message: 'console/app/ bundles no package: it is plain TypeScript and the DOM (docs/console.md#assets-and-page-security).' },
        ],
      }],
    },
  },
  {
    // Local mode serves HTTP and runs the workflows on one event loop: nothing they reach may block it on a
    // child process (docs/architecture.md#local-mode). Start-up and the git hook's own process may.
    files: ['local/**', 'adapters/local/**'],
    ignores: ['local/local-repositories.ts', 'local/post-commit.ts', 'adapters/local/dynamodb/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'node:child_process', importNames: ['execSync', 'execFileSync', 'spawnSync'], message: 'local mode never blocks its event loop on a child process: use execFile or spawn (docs/architecture.md#local-mode).' }],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', AbortController: 'readonly' } },
  },
);
