import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** One synthesized stack, as CDK's synth hands it to a validation plugin (`IPolicyValidationContext`). */
export interface StackTemplate {
  readonly stackConstructPath: string;
  /** The template file the synth wrote. */
  readonly templatePath: string;
  readonly accountId?: string;
  readonly region?: string;
}

export interface CloudFormationValidator {
  /** POST `{ stackTemplates }` to `${endpoint}/validate`: answers `{ findings }`, one line a finding. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

// Runs on a worker thread: plain CommonJS, aws-cdk-lib by its resolved path (the thread has no TypeScript
// loader). The plugin is the one `cdk synth` runs after every synth (same rules, same rules left out,
// same severities); its engine is built on the first request and reused for every later one.
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

/**
 * CDK's CloudFormation validation as one service for the whole test run (test/global-setup.ts). Its
 * engine takes seconds of CPU to build in every process that validates, and test files run in several
 * processes: here it is built once. Tests synthesize with CDK's built-in validation off
 * (test/support/cdk-app.ts) and ask this service about the stacks whose validation they assert
 * (`cloudFormationFindings`).
 */
export async function startCloudFormationValidator(): Promise<CloudFormationValidator> {
  const require = createRequire(import.meta.url);
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (findings: string[]) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const request of waiting.values()) request.reject(error);
    waiting.clear();
    worker = undefined;
  };
  const thread = (): Worker => {
    if (worker) return worker;
    const started = new Worker(WORKER, { eval: true, workerData: { cdk: require.resolve('aws-cdk-lib') } });
    started.on('message', ({ id, findings, error }: { id: number; findings?: string[]; error?: string }) => {
      const request = waiting.get(id);
      waiting.delete(id);
      if (error !== undefined) request?.reject(new Error(error));
      else request?.resolve(findings ?? []);
    });
    started.on('error', failAll);
    started.on('exit', (code) => failAll(new Error(`the CloudFormation validation thread exited with ${code}`)));
    worker = started;
    return started;
  };
  const validate = (stackTemplates: StackTemplate[]) =>
    new Promise<string[]>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      thread().postMessage({ id, stackTemplates });
    });

  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      (async () => {
        if (request.method !== 'POST' || request.url !== '/validate') throw new Error(`no route ${request.method} ${request.url}`);
        return validate((JSON.parse(body) as { stackTemplates: StackTemplate[] }).stackTemplates);
      })().then(
        (findings) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ findings })),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? (error.stack ?? error.message) : String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const running = worker;
      worker = undefined;
      await running?.terminate();
    },
  };
}
