import { CfnResource, Duration, Stack, Stage, Tags, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HANDLER_ENVIRONMENT,
  HANDLER_SETTINGS,
  OPTIONAL_ENVIRONMENT,
  SETTINGS_FILE,
  type HandlerEnvironment,
  type HandlerName,
  type HandlerSettings,
} from '../lambdas/handler-environment';
import { defaultPolicyOf, resourceOf } from './acknowledge';
import { HANDLER_TAG } from './template-names';

export { HANDLER_TAG } from './template-names';

/**
 * The most a function's environment may hold. Lambda allows 4 KB in all; ours stays far below so that
 * nothing that grows with the config can creep back in (that goes to the settings).
 */
export const MAX_ENVIRONMENT_BYTES = 1024;
/**
 * What a value resolved only at deploy time counts for: the longest name or ARN we put in an
 * environment (a table name is at most 255 characters, a state machine ARN about 150, a bucket name 63).
 */
export const TOKEN_BYTES = 256;
/** What a pseudo parameter (`AWS::Region`, `AWS::URLSuffix`, ...) counts for. */
export const PSEUDO_PARAMETER_BYTES = 32;
/**
 * What a reference to a resource of these types counts for, when it is known to be short: a REST API's
 * id (the first label of its execute-api host name) is 10 letters and digits; counted as 32.
 */
export const REFERENCE_BYTES: Readonly<Record<string, number>> = { 'AWS::ApiGateway::RestApi': 32 };

/**
 * How each handler is bundled (esbuild options as NodejsFunction names them): minified, no source map (it
 * would triple what Lambda unpacks and loads on a cold start), the AWS SDK v3 taken from the runtime.
 * Each handler names the SDK clients it uses (lambdas/aws-parts/), so esbuild leaves the others out.
 */
export const HANDLER_BUNDLING = {
  minify: true,
  sourceMap: false,
  target: 'node22',
  externalModules: ['@aws-sdk/*'],
} as const satisfies nodejs.BundlingOptions;

const LAMBDAS = join(dirname(fileURLToPath(import.meta.url)), '..', 'lambdas');

/** The file in `lambdas/` a handler's function is bundled from. */
export function handlerEntry(handler: HandlerName): string {
  return join(LAMBDAS, `${handler}.ts`);
}

export interface HandlerFunctionProps<H extends HandlerName> {
  /** File name in `lambdas/`, without extension. */
  readonly handler: H;
  readonly description: string;
  /**
   * Its environment (`lambdas/handler-environment.ts`): names and ARNs resolved at deploy time. A value
   * not known yet may be set later with `setEnvironment`; synth fails while any is missing.
   */
  readonly environment: Partial<HandlerEnvironment<H>>;
  /** Its settings: known at synth (no token), bundled with its code as `SETTINGS_FILE`, whatever their size. */
  readonly settings: HandlerSettings<H>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * More files for its bundle, made at synth (the console's page assets): path in the bundle -> file
   * staged in the cloud assembly. Copied only when the stack is bundled.
   * @default none
   */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * One of our Lambda handlers, bundled by the local esbuild (no Docker) as `HANDLER_BUNDLING` says: Node.js
 * 22 on ARM64, X-Ray on, logs kept three months in its own log group, the AWS SDK v3 taken from the runtime. Its settings are
 * written next to its code; synth fails when its environment lacks a variable its handler reads, or would
 * exceed `MAX_ENVIRONMENT_BYTES`.
 */
export class HandlerFunction<H extends HandlerName = HandlerName> extends nodejs.NodejsFunction {
  readonly handlerName: H;
  /** What is bundled with the code, as the handler will read it. */
  readonly settings: HandlerSettings<H>;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps<H>) {
    const settings = HANDLER_SETTINGS[props.handler].parse(props.settings) as HandlerSettings<H>;
    const json = JSON.stringify(settings);
    if (Token.isUnresolved(json)) {
      throw new Error(`the ${props.handler} function's settings hold a value known only at deploy time: give it in its environment instead (lambdas/handler-environment.ts)`);
    }
    // Staged in the cloud assembly, then copied into the bundle (a local command: we bundle without Docker).
    const staged = Stack.of(scope).bundlingRequired ? stageSettings(scope, json) : undefined;
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS });
    // Writes to its own log group only: AWSLambdaBasicExecutionRole, the default, would let the function
    // create and write any log group of the account.
    const role = new iam.Role(scope, `${id}ServiceRole`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_SERVICE_NAME: 'codeontap-release',
        ...defined(props.environment),
      },
      bundling: {
        ...HANDLER_BUNDLING,
        externalModules: [...HANDLER_BUNDLING.externalModules],
        ...(staged
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => [
                  `cp "${staged}" "${join(outputDir, SETTINGS_FILE)}"`,
                  ...Object.entries(props.files ?? {}).map(([target, source]) => `mkdir -p "${dirname(join(outputDir, target))}" && cp "${source}" "${join(outputDir, target)}"`),
                ],
              },
            }
          : {}),
      },
    });
    this.handlerName = props.handler;
    this.settings = settings;
    this.node.addValidation({ validate: () => this.environmentErrors() });
    // Local mode finds the in-process handler of each function by this tag.
    Tags.of(this).add(HANDLER_TAG, props.handler, { includeResourceTypes: ['AWS::Lambda::Function'] });
    Validations.of(resourceOf(this)).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the newest runtime this code is verified with; it is pinned so that upgrades are deliberate.',
    });
    Validations.of(defaultPolicyOf(role)).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts no narrower resource.',
    });
  }

  /** Sets variables of its handler's environment that were not known when it was made. */
  setEnvironment(values: Partial<HandlerEnvironment<H>>): this {
    for (const [name, value] of Object.entries(defined(values))) this.addEnvironment(name, value);
    return this;
  }

  /** The environment as CloudFormation will get it: every variable, literal or still to resolve. */
  environmentVariables(): Record<string, unknown> {
    const environment = Stack.of(this).resolve((this.node.defaultChild as lambda.CfnFunction).environment) as { variables?: Record<string, unknown> } | undefined;
    return environment?.variables ?? {};
  }

  private environmentErrors(): string[] {
    const variables = this.environmentVariables();
    const missing = Object.keys(HANDLER_ENVIRONMENT[this.handlerName].shape).filter((name) => !(name in variables) && !OPTIONAL_ENVIRONMENT.has(name));
    const stack = Stack.of(this);
    // Only the types REFERENCE_BYTES knows change the count: resolving every resource's logical id, for
    // each function, was a fifth of a synth's time.
    const counted = stack.node.findAll().filter((construct): construct is CfnResource => construct instanceof CfnResource && Object.hasOwn(REFERENCE_BYTES, construct.cfnResourceType));
    const types = Object.fromEntries(counted.map((resource) => [stack.resolve(resource.logicalId) as string, resource.cfnResourceType]));
    const bytes = environmentBytes(variables, types);
    return [
      ...(missing.length > 0 ? [`the ${this.handlerName} function's environment lacks ${missing.join(', ')} (lambdas/handler-environment.ts)`] : []),
      ...(bytes > MAX_ENVIRONMENT_BYTES
        ? [
            `the ${this.handlerName} function's environment may take ${bytes} bytes (a value resolved at deploy time counted as ${TOKEN_BYTES}), over the ${MAX_ENVIRONMENT_BYTES} allowed: ` +
              'what grows with the config belongs in its settings, bundled with its code (lambdas/handler-environment.ts)',
          ]
        : []),
    ];
  }
}

/**
 * The most bytes `variables` can take once CloudFormation has resolved them (names and values): a literal
 * counts its UTF-8 length, a pseudo parameter `PSEUDO_PARAMETER_BYTES`, a reference to a resource whose
 * type (`resourceTypes`: logical id -> type) is in `REFERENCE_BYTES` that much, any other `TOKEN_BYTES`.
 */
export function environmentBytes(variables: Readonly<Record<string, unknown>>, resourceTypes: Readonly<Record<string, string>> = {}): number {
  return Object.entries(variables).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value, resourceTypes), 0);
}

function valueBytes(value: unknown, resourceTypes: Readonly<Record<string, string>>): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  const intrinsic = (value ?? {}) as { 'Fn::Join'?: [string, unknown[]]; Ref?: unknown };
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.reduce<number>((sum, part) => sum + valueBytes(part, resourceTypes), 0) + Buffer.byteLength(separator) * Math.max(0, parts.length - 1);
  }
  if (typeof intrinsic.Ref === 'string' && intrinsic.Ref.startsWith('AWS::')) return PSEUDO_PARAMETER_BYTES;
  const type = typeof intrinsic.Ref === 'string' ? resourceTypes[intrinsic.Ref] : undefined;
  return (type === undefined ? undefined : REFERENCE_BYTES[type]) ?? TOKEN_BYTES;
}

/** The settings as a file of the cloud assembly, named by its content. */
function stageSettings(scope: Construct, json: string): string {
  const dir = join(Stage.of(scope)?.outdir ?? '.', 'handler-settings');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(json).digest('hex')}.json`);
  writeFileSync(file, json);
  return file;
}

function defined<T extends object>(values: T): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
