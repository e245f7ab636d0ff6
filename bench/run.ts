import { bundlesBench } from './bundles.bench';
import { hookBench } from './hook.bench';
import { webhookBench } from './webhook.bench';

// Benchmarks print their figures; none is asserted. Each issue adds its own here.
const benches: Array<{ name: string; run: () => Promise<string> }> = [webhookBench, hookBench, bundlesBench];

for (const bench of benches) process.stdout.write(`${bench.name}: ${await bench.run()}\n`);
if (benches.length === 0) process.stdout.write('no benchmarks yet\n');
