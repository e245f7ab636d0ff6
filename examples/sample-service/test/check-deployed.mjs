// Test of a deployment: the copy in $COT_TARGET_DIR must serve, and report the commit $COT_COMMIT.
import { execFileSync } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const fail = (message) => {
  console.error(`check-deployed: ${message}`);
  process.exit(1);
};
const { COT_TARGET_DIR: targetDir, COT_COMMIT: expected } = process.env;
if (!targetDir) fail('COT_TARGET_DIR is not set: nowhere to find the deployed service');
if (!expected) fail('COT_COMMIT is not set: no commit to compare with');

const server = join(targetDir, 'server.mjs');
let printed;
try {
  printed = JSON.parse(execFileSync(process.execPath, [server, '--version'], { encoding: 'utf8' }));
} catch (error) {
  fail(`could not run ${server} --version: ${error.message}`);
}
if (printed.commit !== expected) fail(`deployed service reports commit ${printed.commit}, expected ${expected}`);

// The same answer over HTTP, from a server started on a free port of loopback (node:http, quicker to load than fetch).
const { createApp } = await import(pathToFileURL(server).href);
const app = createApp();
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
const { status, body } = await new Promise((resolve, reject) => {
  get({ host: '127.0.0.1', port: app.address().port, path: '/version', agent: false }, (response) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (text += chunk));
    response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(text) }));
  }).on('error', reject);
});
app.close();
if (status !== 200 || body.commit !== expected) fail(`GET /version answered ${status} with commit ${body.commit}, expected ${expected}`);
console.log(`check-deployed: ${targetDir} runs commit ${expected}`);
