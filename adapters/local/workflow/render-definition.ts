import { IntrinsicResolver, TemplateResolutionError } from './cfn-intrinsics';
import type { CfnResource, CfnTemplate, ResolveOptions, ResolvedReference } from './cfn-intrinsics';
import type { AslDefinition } from './asl';

const STATE_MACHINE_TYPE = 'AWS::StepFunctions::StateMachine';

/** How to pick one state machine out of a template. */
export type StateMachineSelector =
  | { readonly logicalId: string }
  /** The construct path (`Stack/Workflows/Release`, with or without `/Resource`); needs path metadata. */
  | { readonly path: string }
  | { readonly tag: { readonly key: string; readonly value?: string } }
  | { readonly logicalIdPrefix: string };

export interface RenderedWorkflow {
  readonly logicalId: string;
  /** Concrete ASL: every reference replaced by a local value. */
  readonly definition: AslDefinition;
  /** Every resource value the definition mentions -> where it came from. */
  readonly references: ReadonlyMap<string, ResolvedReference>;
  /**
   * The logical id behind a resolved value (a Lambda ARN, a CodeBuild project name, a table name), so a
   * Task can be served by the local handler of that construct. A qualified Lambda ARN (`...:fn:$LATEST`)
   * resolves like the unqualified one.
   */
  logicalIdOf(value: string): string | undefined;
}

/** Finds exactly one state machine; throws when none or several match. */
export function findStateMachine(template: CfnTemplate, selector: StateMachineSelector): string {
  const machines = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === STATE_MACHINE_TYPE);
  const matches = machines.filter(([id, resource]) => matchesSelector(id, resource, selector)).map(([id]) => id);
  if (matches.length === 1 && matches[0]) return matches[0];
  const known = machines.map(([id, r]) => `${id}${pathOf(r) ? ` (${pathOf(r)})` : ''}`).join(', ') || 'none';
  const problem = matches.length === 0 ? 'No state machine matches' : `${matches.length} state machines match`;
  throw new TemplateResolutionError(`${problem} ${JSON.stringify(selector)}; state machines in the template: ${known}`);
}

function matchesSelector(logicalId: string, resource: CfnResource, selector: StateMachineSelector): boolean {
  if ('logicalId' in selector) return logicalId === selector.logicalId;
  if ('logicalIdPrefix' in selector) return logicalId.startsWith(selector.logicalIdPrefix);
  if ('path' in selector) {
    const path = pathOf(resource);
    return path === selector.path || path === `${selector.path}/Resource`;
  }
  const tags = resource.Properties?.Tags;
  return (
    Array.isArray(tags) &&
    tags.some((t: { Key?: unknown; Value?: unknown }) => t.Key === selector.tag.key && (selector.tag.value === undefined || t.Value === selector.tag.value))
  );
}

function pathOf(resource: CfnResource): string | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : undefined;
}

/**
 * Turns a synthesized `AWS::StepFunctions::StateMachine` into the ASL Step Functions would run:
 * `DefinitionString` (or `Definition`) resolved, then `DefinitionSubstitutions` applied as the service does,
 * by replacing `${key}` in the definition text.
 */
export function renderDefinition(
  template: CfnTemplate,
  selector: string | StateMachineSelector,
  options: ResolveOptions = {},
): RenderedWorkflow {
  const logicalId = findStateMachine(template, typeof selector === 'string' ? { logicalId: selector } : selector);
  const properties = template.Resources?.[logicalId]?.Properties ?? {};
  const resolver = new IntrinsicResolver(template, options);

  let text: string;
  if (properties.DefinitionString !== undefined) {
    text = resolver.resolveString(properties.DefinitionString, `${logicalId}.DefinitionString`);
  } else if (properties.Definition !== undefined) {
    text = JSON.stringify(resolver.resolve(properties.Definition));
  } else {
    throw new TemplateResolutionError(`${logicalId} has no inline definition (DefinitionS3Location is not supported locally)`);
  }

  const substitutions = (resolver.resolve(properties.DefinitionSubstitutions) ?? {}) as Record<string, unknown>;
  text = text.replace(/\$\{([^}]+)\}/g, (match, key: string) => (key in substitutions ? String(substitutions[key]) : match));

  let definition: AslDefinition;
  try {
    definition = JSON.parse(text) as AslDefinition;
  } catch (error) {
    throw new TemplateResolutionError(`${logicalId} did not render to JSON: ${(error as Error).message}`, { cause: error });
  }

  const references = resolver.references;
  return {
    logicalId,
    definition,
    references,
    logicalIdOf: (value) => references.get(value)?.logicalId ?? references.get(unqualifiedLambdaArn(value))?.logicalId,
  };
}

function unqualifiedLambdaArn(value: string): string {
  const match = /^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+):[^:]+$/.exec(value);
  return match?.[1] ?? value;
}
