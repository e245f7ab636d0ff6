import { bundlesBench } from './bundles.bench';
import { hookBench } from './hook.bench';
import { localModeBench } from './local-mode.bench';
import { suiteBench } from './suite.bench';
import { webhookBench } from './webhook.bench';
import { writesBench } from './writes.bench';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Benchmarks print each figure beside its goal (README, "npm run bench"); none is asserted anywhere.
// `npm run bench -- --only <name>` runs those whose name contains <name>.
const benches: Array<{ name: string; run: () => Promise<string> }> = [webhookBench, localModeBench, hookBench, bundlesBench, writesBench, suiteBench];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

for (const bench of benches.filter((candidate) => !only || candidate.name.includes(only))) process.stdout.write(`${bench.name}: ${await bench.run()}\n`);
// Aborted local runs or open handles must not keep the bench alive.
process.exit(0);
