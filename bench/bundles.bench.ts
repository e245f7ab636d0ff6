import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUNDLE_GOAL_KB = 300;
const INIT_GOAL_MS = 150;
const INIT_RUNS = 9;

interface Bundle {
  readonly handler: string;
  readonly dir: string;
  readonly codeBytes: number;
  readonly mapBytes: number;
}

/** Each Lambda's bundle as `cdk synth` builds it (NodejsFunction with the local esbuild). */
function synthBundles(out: string): Bundle[] {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', out], { stdio: 'ignore', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' } });
  const template = JSON.parse(readFileSync(join(out, readdirSync(out).find((name) => name.endsWith('.template.json'))!), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Tags?: Array<{ Key: string; Value: string }> }; Metadata?: Record<string, string> }>;
  };
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:asset:path'])
    .map((resource) => {
      const dir = join(out, resource.Metadata!['aws:asset:path']!);
      const files = readdirSync(dir);
      const size = (keep: (file: string) => boolean) => files.filter(keep).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
      return {
        handler: resource.Properties?.Tags?.find((tag) => tag.Key === 'cot:handler')?.Value ?? 'function',
        dir,
        codeBytes: size((file) => file.endsWith('.js') || file.endsWith('.mjs')),
        mapBytes: size((file) => file.endsWith('.map')),
      };
    });
}

/** Median, over fresh processes, of what `node` takes to start (`empty`) or to load a bundle once started. */
async function nodeTimes(bundle?: string): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < INIT_RUNS; index += 1) {
    if (bundle) {
      const script = `const start = performance.now(); require(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - start));`;
      const { stdout } = await run(process.execPath, ['-e', script], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
      times.push(Number(stdout));
    } else {
      const start = performance.now();
      await run(process.execPath, ['-e', '0']);
      times.push(performance.now() - start);
    }
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/**
 * Bundle sizes beside the goal, and the cold init of each bundle above an empty `node`: the time a fresh
 * process takes to load the bundle as Lambda's init does (its code and the SDK clients it requires),
 * measured inside that process, and as a ratio to the start of a `node` that loads nothing.
 * The synth output stays inside the repository, so the bundles find the SDK in node_modules as Lambda
 * finds it in its runtime.
 */
async function bench(): Promise<string> {
  mkdirSync('.cache', { recursive: true });
  const out = mkdtempSync(resolve('.cache', 'bench-synth-'));
  try {
    const bundles = synthBundles(out);
    const sizes = bundles.map(({ handler, codeBytes, mapBytes }) => `${handler} ${(codeBytes / 1024).toFixed(0)} KB${mapBytes ? ` + ${(mapBytes / 1024).toFixed(0)} KB maps` : ''}`);
    const empty = await nodeTimes();
    const inits: string[] = [];
    for (const { handler, dir } of bundles) {
      const loading = await nodeTimes(join(dir, 'index.js'));
      inits.push(`${handler} +${loading.toFixed(0)} ms (x${((empty + loading) / empty).toFixed(2)})`);
    }
    return [
      `sizes: ${sizes.join(', ')} (goal <= ${BUNDLE_GOAL_KB} KB each)`,
      `  cold init above an empty node (${empty.toFixed(0)} ms, median of ${INIT_RUNS}): ${inits.join(', ')} (goal <= +${INIT_GOAL_MS} ms)`,
    ].join('\n');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const bundlesBench = { name: 'Lambda bundles', run: bench };
