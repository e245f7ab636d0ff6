import type { PolicyValidationStack } from 'aws-cdk-lib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CloudFormationValidator {
  /** POST `{ stackTemplates }` to `${endpoint}/validate`: answers `{ findings }`, one line a finding. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

// Runs on a worker thread: plain CommonJS, aws-cdk-lib by its resolved path (the thread has no TypeScript
// loader). The plugin is the one `cdk synth` runs after every synth (same rules, same rules left out,
// same severities). It builds its engine on the first request, and again for a template with resource
// types the engine was not built for: a fraction of a second then, since the WebAssembly is compiled once
// per thread, against seconds of CPU the first time.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { CloudFormationValidatePlugin } = require(workerData.cdk);
const plugin = new CloudFormationValidatePlugin();
parentPort.on('message', ({ id, stackTemplates }) => {
  try {
    const report = plugin.validate({ templatePaths: stackTemplates.map((stack) => stack.templatePath), stackTemplates });
    const findings = report.violations.map((violation) => {
      const where = violation.violatingResources.map((resource) => resource.resourceLogicalId ?? resource.constructPath).join(', ');
      return violation.severity.toUpperCase() + ' ' + violation.ruleName + ' ' + where + ': ' + violation.description;
    });
    parentPort.postMessage({ id, findings });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.stack) || error) });
  }
});
`;

interface Pending {
  readonly resolve: (findings: string[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * CDK's CloudFormation validation as one service for the whole test run (test/global-setup.ts). Its
 * engine takes seconds of CPU to build in every process that validates, and test files run in several
 * processes: here it is built once. Tests synthesize with CDK's built-in validation off
 * (test/support/cdk-app.ts) and ask this service about the stacks whose validation they assert
 * (`cloudFormationFindings`).
 */
export async function startCloudFormationValidator(): Promise<CloudFormationValidator> {
  const require = createRequire(import.meta.url);
  let current: { readonly worker: Worker; readonly waiting: Map<number, Pending> } | undefined;
  let nextId = 0;
  /** The thread, started on the first request and again after one ended; each answers its own requests. */
  const thread = () => {
    if (current) return current;
    const worker = new Worker(WORKER, { eval: true, workerData: { cdk: require.resolve('aws-cdk-lib') } });
    const waiting = new Map<number, Pending>();
    const started = { worker, waiting };
    worker.on('message', ({ id, findings, error }: { id: number; findings?: string[]; error?: string }) => {
      const request = waiting.get(id);
      waiting.delete(id);
      if (error !== undefined) request?.reject(new Error(error));
      else request?.resolve(findings ?? []);
    });
    const failAll = (error: Error) => {
      for (const request of waiting.values()) request.reject(error);
      waiting.clear();
      if (current === started) current = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the CloudFormation validation thread exited with ${code}`)));
    current = started;
    return started;
  };
  const validate = (stackTemplates: PolicyValidationStack[]) =>
    new Promise<string[]>((resolve, reject) => {
      const id = nextId++;
      const { worker, waiting } = thread();
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, stackTemplates });
    });

  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      (async () => {
        if (request.method !== 'POST' || request.url !== '/validate') throw new Error(`no route ${request.method} ${request.url}`);
        return validate((JSON.parse(body) as { stackTemplates: PolicyValidationStack[] }).stackTemplates);
      })().then(
        (findings) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ findings })),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? (error.stack ?? error.message) : String(error)),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      // The thread first: a request it is still answering fails at once instead of holding the server open.
      const running = current;
      current = undefined;
      await running?.worker.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
