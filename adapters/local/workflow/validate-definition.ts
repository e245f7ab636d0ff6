import { createRequire } from 'node:module';
import type { AslDefinition } from './asl';

interface AslValidatorResult {
  isValid: boolean;
  errors: { 'Error code'?: string; Message?: string }[];
  errorsText(separator?: string): string;
}
type AslValidator = (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => AslValidatorResult;

// asl-validator is CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

export interface ValidateOptions {
  /** Check that every `Resource` is an ARN. @default true */
  readonly checkArn?: boolean;
  /** Check JSONPath syntax in paths and Parameters. @default true */
  readonly checkPaths?: boolean;
}

// asl-validator compiles its JSON schemas on every call (about 0.3 s, 5 s the first time): remember answers.
const verdicts = new Map<string, readonly string[]>();

/** Validates rendered ASL with asl-validator; an empty list means valid. */
export function validateDefinition(definition: AslDefinition, options: ValidateOptions = {}): string[] {
  const settings = { checkArn: true, checkPaths: true, ...options };
  const key = JSON.stringify([settings, definition]);
  let verdict = verdicts.get(key);
  if (!verdict) {
    // The validator writes QueryLanguage into every state of what it is given: hand it a copy.
    const result = aslValidator(structuredClone(definition), settings);
    verdict = result.errors.map((error) => `${error['Error code'] ?? 'Error'}: ${error.Message ?? JSON.stringify(error)}`);
    verdicts.set(key, verdict);
  }
  return [...verdict];
}

export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinition';
  constructor(readonly errors: readonly string[]) {
    super(`The state machine definition is invalid:\n${errors.map((error) => `  - ${error}`).join('\n')}`);
  }
}
