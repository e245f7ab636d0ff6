import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AslDefinition } from './asl';

interface AslValidatorResult {
  isValid: boolean;
  errors: { 'Error code'?: string; Message?: string }[];
  errorsText(separator?: string): string;
}
type AslValidator = (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => AslValidatorResult;

// asl-validator is CommonJS without type declarations; loaded on the first definition not already judged.
let aslValidator: AslValidator | undefined;
const loadAslValidator = (): AslValidator => (aslValidator ??= createRequire(import.meta.url)('asl-validator') as AslValidator);

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

/** Validates rendered ASL with asl-validator; an empty list means valid. */
export function validateDefinition(definition: AslDefinition, options: ValidateOptions = {}): string[] {
  const settings = { checkArn: true, checkPaths: true, ...options };
  const key = verdictKey(definition, settings);
  let verdict = verdicts.get(key);
  if (!verdict) {
    // The validator writes QueryLanguage into every state of what it is given: hand it a copy.
    const result = loadAslValidator()(structuredClone(definition), settings);
    verdict = result.errors.map((error) => `${error['Error code'] ?? 'Error'}: ${error.Message ?? JSON.stringify(error)}`);
    verdicts.set(key, verdict);
  }
  return [...verdict];
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
