import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AslDefinition } from './asl';

interface AslValidatorResult {
  isValid: boolean;
  errors: { 'Error code'?: string; Message?: string }[];
  errorsText(separator?: string): string;
}
type AslValidator = (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => AslValidatorResult;

// asl-validator is CommonJS without type declarations; loaded on the first definition not already judged.
const require = createRequire(import.meta.url);
let aslValidator: AslValidator | undefined;
const loadAslValidator = (): AslValidator => (aslValidator ??= require('asl-validator') as AslValidator);

export interface ValidateOptions {
  /** Check that every `Resource` is an ARN. @default true */
  readonly checkArn?: boolean;
  /** Check JSONPath syntax in paths and Parameters. @default true */
  readonly checkPaths?: boolean;
}

/** asl-validator's answer for one definition and settings, by `verdictKey`: its errors, none when valid. */
export type Verdicts = Readonly<Record<string, readonly string[]>>;

// asl-validator compiles its JSON schemas on every call (about 0.3 s, 5 s the first time): remember answers.
const verdicts = new Map<string, readonly string[]>();

/** What a verdict is filed under: a digest of the exact definition and settings judged. */
function verdictKey(definition: AslDefinition, settings: Required<ValidateOptions>): string {
  return createHash('sha256').update(JSON.stringify([settings, definition])).digest('hex');
}

const withDefaults = (options: ValidateOptions): Required<ValidateOptions> => ({ checkArn: true, checkPaths: true, ...options });
const verdictOf = (errors: AslValidatorResult['errors']): string[] => errors.map((error) => `${error['Error code'] ?? 'Error'}: ${error.Message ?? JSON.stringify(error)}`);

/** Validates rendered ASL with asl-validator; an empty list means valid. */
export function validateDefinition(definition: AslDefinition, options: ValidateOptions = {}): string[] {
  const settings = withDefaults(options);
  const key = verdictKey(definition, settings);
  let verdict = verdicts.get(key);
  if (!verdict) {
    // The validator writes QueryLanguage into every state of what it is given: hand it a copy.
    verdict = verdictOf(loadAslValidator()(structuredClone(definition), settings).errors);
    verdicts.set(key, verdict);
  }
  return [...verdict];
}

// Runs in a worker thread: plain CommonJS, asl-validator by its resolved path (the worker has no TypeScript loader).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const validate = require(workerData.validator);
parentPort.postMessage(workerData.definitions.map((definition) => validate(definition, workerData.settings).errors));
`;

/**
 * Validates, on a worker thread, each definition not judged yet, and remembers the verdicts as
 * `validateDefinition` would (the same validator, settings and messages): local mode's start runs a first
 * validation (seconds, while asl-validator compiles its schemas) beside its other work instead of after it.
 * Resolves once they are known; rejects if the worker fails, which leaves `validateDefinition` to judge.
 */
export async function validateAside(definitions: readonly AslDefinition[], options: ValidateOptions = {}): Promise<void> {
  const settings = withDefaults(options);
  const pending = [...new Map(definitions.map((definition) => [verdictKey(definition, settings), definition])).entries()].filter(([key]) => !verdicts.has(key));
  if (pending.length === 0) return;
  const worker = new Worker(WORKER, { eval: true, workerData: { validator: require.resolve('asl-validator'), settings, definitions: pending.map(([, definition]) => definition) } });
  const errors = await new Promise<AslValidatorResult['errors'][]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the validation worker exited with ${code}`)));
  }).finally(() => void worker.terminate());
  if (errors.length !== pending.length) throw new Error(`the validation worker judged ${errors.length} of ${pending.length} definitions`);
  pending.forEach(([key], index) => verdicts.set(key, verdictOf(errors[index]!)));
}

/**
 * Verdicts given before any validation, e.g. kept with local mode's template cache (docs/architecture.md#start-up).
 * Only sound for the asl-validator that gave them: whoever keeps them must drop them when packages change.
 */
export function rememberVerdicts(known: Verdicts): void {
  for (const [key, verdict] of Object.entries(known)) verdicts.set(key, [...verdict]);
}

/** Every verdict this process knows, to keep for the next one. */
export function knownVerdicts(): Verdicts {
  return Object.fromEntries(verdicts);
}

export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinition';
  constructor(readonly errors: readonly string[]) {
    super(`The state machine definition is invalid:\n${errors.map((error) => `  - ${error}`).join('\n')}`);
  }
}
