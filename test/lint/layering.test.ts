import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The repository's own eslint.config.mjs, on snippets placed where a file of each layer would be.
const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });

async function layeringMessages(filePath: string, from: string, kind: 'value' | 'type' = 'value'): Promise<string[]> {
  const code = kind === 'type' ? `import type { X } from '${from}';\nexport type Y = X;\n` : `import { x } from '${from}';\nexport const y = x;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layering rules (docs/architecture.md#import-rules)', () => {
  it.each([
    ['core/example.ts', '@aws-sdk/client-dynamodb'],
    ['core/example.ts', 'aws-cdk-lib'],
    ['core/example.ts', 'aws-cdk-lib/aws-dynamodb'],
    ['core/example.ts', 'constructs'],
    ['core/example.ts', '../lambdas/http'],
    ['core/example.ts', '../adapters/aws/dynamo-cmdb'],
    ['core/example.ts', '../local/run-local'],
    ['core/example.ts', '../lib/release-stack'],
    ['core/example.ts', '../cli/main'],
    ['core/webhooks/example.ts', '../../adapters/aws/dynamo-errors'],
    ['lambdas/example.ts', '../local/run-local'],
    ['lambdas/example.ts', '../lib/handler-function'],
    ['lib/example.ts', '../local/run-local'],
    ['lib/example.ts', '../cli/main'],
    ['lib/example.ts', '../adapters/aws/dynamo-releases'],
    ['lib/example.ts', '../lambdas/aws-wiring'],
  ])('refuses %s importing %s', async (filePath, from) => {
    expect(await layeringMessages(filePath, from)).toEqual([expect.stringContaining('docs/architecture.md#import-rules')]);
  });

  it('refuses a type-only import too', async () => {
    expect(await layeringMessages('core/example.ts', '@aws-sdk/client-sfn', 'type')).toHaveLength(1);
    expect(await layeringMessages('core/example.ts', '../lambdas/http', 'type')).toHaveLength(1);
  });

  it.each([
    ['core/example.ts', './errors'],
    ['core/example.ts', 'zod'],
    ['core/webhooks/example.ts', '../errors'],
    ['lambdas/example.ts', '../core/errors'],
    ['lambdas/example.ts', '../adapters/aws/dynamo-cmdb'],
    ['lib/example.ts', '../core/config'],
    ['lib/example.ts', 'aws-cdk-lib'],
    ['lib/example.ts', '../adapters/aws/cmdb-access'],
    ['lib/example.ts', '../lambdas/handler-environment'],
    ['local/example.ts', '../lambdas/webhook'],
  ])('allows %s importing %s', async (filePath, from) => {
    expect(await layeringMessages(filePath, from)).toEqual([]);
  });
});
