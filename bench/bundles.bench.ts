import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Each Lambda's bundle as `cdk synth` builds it (NodejsFunction with the local esbuild), beside the goal. */
function bench(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'cot-bench-synth-'));
  try {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', out], { stdio: 'ignore', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' } });
    const template = JSON.parse(readFileSync(join(out, readdirSync(out).find((name) => name.endsWith('.template.json'))!), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { Tags?: Array<{ Key: string; Value: string }> }; Metadata?: Record<string, string> }> };
    const rows = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:asset:path'])
      .map((resource) => {
        const dir = join(out, resource.Metadata!['aws:asset:path']!);
        const files = readdirSync(dir);
        const code = files.filter((file) => file.endsWith('.js') || file.endsWith('.mjs')).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
        const maps = files.filter((file) => file.endsWith('.map')).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
        const name = resource.Properties?.Tags?.find((tag) => tag.Key === 'cot:handler')?.Value ?? 'function';
        return `${name} ${(code / 1024).toFixed(0)} KB${maps ? ` + ${(maps / 1024).toFixed(0)} KB maps` : ''}`;
      });
    return Promise.resolve(`${rows.join(', ')} (goal <= 300 KB each)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const bundlesBench = { name: 'Lambda bundles', run: bench };
