#!/usr/bin/env node
// `npm test`'s static checks: the type check (tsc --noEmit) and ESLint, side by side (each uses one core),
// each one's output printed whole once it ends. Exits with the first failure's code, else 0.
import { spawn } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';

const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const checks = [
  { name: 'tsc --noEmit', bin: bin('tsc'), args: ['--noEmit'] },
  { name: 'eslint .', bin: bin('eslint'), args: ['.'] },
];

const results = await Promise.all(
  checks.map(
    ({ name, bin: command, args }) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', (error) => resolve({ name, code: 1, output: `${error.message}\n`, seconds: 0 }));
        child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }));
      }),
  ),
);
for (const { name, code, output, seconds } of results) {
  process.stdout.write(`${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds.toFixed(1)} s\n${output}`);
}
process.exitCode = results.find((result) => result.code !== 0)?.code ?? 0;
