import { randomUUID } from 'node:crypto';
import { isJsonObject, toJsonValue } from './json';
import { LOCAL_ACCOUNT_ID, LOCAL_PARTITION, LOCAL_REGION, sdkMetadata } from './local-aws';
import { lambdaFailure, serviceFailure, TaskFailure } from './task-failure';
import type { JsonObject, JsonValue } from './json';

/** What a local handler learns about the Task it serves. */
export interface TaskContext {
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateName: string;
  /** The Task's resolved `Resource`. */
  readonly resource: string;
  /** Set for `.waitForTaskToken` resources: the token this Task entry waits on (also in its Parameters). */
  readonly taskToken?: string;
}

/** A Lambda function, by the `FunctionName` (or the `Resource` ARN) the definition names. */
export type LambdaHandler = (functionRef: string, payload: JsonValue, context: TaskContext) => unknown;

export type BuildStatus = 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'STOPPED' | 'TIMED_OUT';

/** The part of CodeBuild's `Build` a local build decides; the rest is filled in. */
export interface LocalBuildResult {
  readonly BuildStatus: BuildStatus;
  readonly Id?: string;
  readonly Logs?: { readonly DeepLink?: string; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/** A CodeBuild project, by `ProjectName`; `params` are the StartBuild parameters (`EnvironmentVariablesOverride`, ...). */
export type CodeBuildHandler = (projectRef: string, params: JsonObject, context: TaskContext) => Promise<LocalBuildResult> | LocalBuildResult;

export type DynamoDbAction = 'putItem' | 'updateItem' | 'getItem' | 'deleteItem';
/** Gets the low-level DynamoDB request; answers the DynamoDB response (or throws the SDK's error). */
export type DynamoDbHandler = (action: DynamoDbAction, params: JsonObject, context: TaskContext) => unknown;
export type SnsHandler = (params: JsonObject, context: TaskContext) => unknown;
/** Serves one exact `Resource`; what it returns is the Task result as is. */
export type ResourceHandler = (params: JsonValue, context: TaskContext) => unknown;

export interface TaskHandlers {
  readonly lambda?: LambdaHandler;
  readonly codebuild?: CodeBuildHandler;
  readonly dynamodb?: DynamoDbHandler;
  readonly sns?: SnsHandler;
  /** Exact resources, checked before the integrations above. */
  readonly resources?: Readonly<Record<string, ResourceHandler>>;
}

export type IntegrationPattern = 'request' | 'sync' | 'waitForTaskToken';

export interface TaskRoute {
  readonly pattern: IntegrationPattern;
  /** The call itself; for `.waitForTaskToken` its result is ignored and the runner then waits for the token. */
  readonly serve: (params: JsonValue, context: TaskContext) => Promise<JsonValue>;
}

const INTEGRATION = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z0-9]+)(?:\.(sync|waitForTaskToken))?(?::\d+)?$/;
const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:.+$/;
const DYNAMODB_ACTIONS: readonly string[] = ['putItem', 'updateItem', 'getItem', 'deleteItem'];

/**
 * Chooses the local handler of a Task by its `Resource`, and shapes its result and errors the way the
 * Step Functions service integration would. `undefined`: nothing local serves this resource.
 */
export function createTaskRouter(handlers: TaskHandlers): (resource: string) => TaskRoute | undefined {
  const buildNumbers = new Map<string, number>();
  const nextBuildNumber = (project: string): number => {
    const next = (buildNumbers.get(project) ?? 0) + 1;
    buildNumbers.set(project, next);
    return next;
  };

  return (resource) => {
    const exact = handlers.resources?.[resource];
    if (exact) {
      const pattern = resource.endsWith('.waitForTaskToken') ? 'waitForTaskToken' : 'request';
      return { pattern, serve: async (params, context) => toJsonValue(await exact(params, context)) };
    }
    if (LAMBDA_ARN.test(resource)) {
      const lambda = handlers.lambda;
      if (!lambda) return undefined;
      // payloadResponseOnly: the input is the payload and the function's answer is the result.
      return { pattern: 'request', serve: (payload, context) => callLambda(lambda, resource, payload, context) };
    }
    const match = INTEGRATION.exec(resource);
    if (!match) return undefined;
    const [, service, action = '', suffix] = match;
    const pattern: IntegrationPattern = suffix === 'sync' ? 'sync' : suffix === 'waitForTaskToken' ? 'waitForTaskToken' : 'request';

    if (service === 'lambda' && action === 'invoke' && pattern !== 'sync' && handlers.lambda) {
      return { pattern, serve: lambdaInvoke(handlers.lambda) };
    }
    if (service === 'codebuild' && action === 'startBuild' && pattern !== 'waitForTaskToken' && handlers.codebuild) {
      return { pattern, serve: startBuild(handlers.codebuild, pattern === 'sync', nextBuildNumber) };
    }
    if (service === 'dynamodb' && DYNAMODB_ACTIONS.includes(action) && pattern === 'request' && handlers.dynamodb) {
      const dynamodb = handlers.dynamodb;
      return {
        pattern,
        serve: async (params, context) => {
          try {
            const response = await dynamodb(action as DynamoDbAction, asObject(params), context);
            return toJsonValue({ ...withoutSdkMetadata(response), ...sdkMetadata(randomUUID()) });
          } catch (error) {
            throw serviceFailure('DynamoDB', error);
          }
        },
      };
    }
    if (service === 'sns' && action === 'publish' && pattern !== 'sync' && handlers.sns) {
      const sns = handlers.sns;
      return {
        pattern,
        serve: async (params, context) => {
          try {
            const response = withoutSdkMetadata(await sns(asObject(params), context));
            return toJsonValue({ MessageId: randomUUID(), ...response, ...sdkMetadata(randomUUID()) });
          } catch (error) {
            throw serviceFailure('SNS', error);
          }
        },
      };
    }
    return undefined;
  };
}

async function callLambda(lambda: LambdaHandler, functionRef: string, payload: JsonValue, context: TaskContext): Promise<JsonValue> {
  try {
    return toJsonValue(await lambda(functionRef, payload, context));
  } catch (error) {
    throw lambdaFailure(error);
  }
}

/** `lambda:invoke` answers the Invoke response: the function's answer is under `Payload`. */
function lambdaInvoke(lambda: LambdaHandler): TaskRoute['serve'] {
  return async (params, context) => {
    const request = asObject(params);
    const functionRef = String(request.FunctionName ?? '');
    const payload = request.Payload ?? {};
    const metadata = { ExecutedVersion: '$LATEST', ...sdkMetadata(randomUUID()) };
    if (request.InvocationType === 'Event') {
      void callLambda(lambda, functionRef, payload, context).catch(() => undefined);
      return { ...metadata, Payload: '', StatusCode: 202 };
    }
    return { ...metadata, Payload: await callLambda(lambda, functionRef, payload, context), StatusCode: 200 };
  };
}

/**
 * `codebuild:startBuild.sync` answers `{ Build }` once the build ends; a build that did not succeed fails the
 * Task with `States.TaskFailed` and the build as JSON Cause. Without `.sync` it answers as soon as the build
 * starts and the build goes on in the background.
 */
function startBuild(codebuild: CodeBuildHandler, sync: boolean, nextBuildNumber: (project: string) => number): TaskRoute['serve'] {
  return async (params, context) => {
    const request = asObject(params);
    const project = String(request.ProjectName ?? '');
    const buildNumber = nextBuildNumber(project);
    const id = `${project}:${randomUUID()}`;
    const started = Date.now();
    const build = (result: LocalBuildResult | { BuildStatus: 'IN_PROGRESS'; Id?: undefined }): JsonObject => {
      const buildId = typeof result.Id === 'string' ? result.Id : id;
      const complete = result.BuildStatus !== 'IN_PROGRESS';
      return asObject(
        toJsonValue({
          Arn: `arn:${LOCAL_PARTITION}:codebuild:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:build/${buildId}`,
          BuildComplete: complete,
          BuildNumber: buildNumber,
          CurrentPhase: complete ? 'COMPLETED' : 'SUBMITTED',
          Environment: { EnvironmentVariables: request.EnvironmentVariablesOverride ?? [] },
          ProjectName: project,
          SourceVersion: request.SourceVersion ?? null,
          StartTime: started,
          ...(complete ? { EndTime: Date.now() } : {}),
          ...result,
          Id: buildId,
        }),
      );
    };
    const running = Promise.resolve().then(() => codebuild(project, request, context));
    if (!sync) {
      running.catch(() => undefined);
      return { Build: build({ BuildStatus: 'IN_PROGRESS' }), ...sdkMetadata(randomUUID()) };
    }
    let result: LocalBuildResult;
    try {
      result = await running;
    } catch (error) {
      throw serviceFailure('CodeBuild', error);
    }
    const finished = build(result);
    if (finished.BuildStatus !== 'SUCCEEDED') throw new TaskFailure('States.TaskFailed', JSON.stringify(finished));
    return { Build: finished, ...sdkMetadata(randomUUID()) };
  };
}

function asObject(value: JsonValue): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** SDK v3 responses carry `$metadata`; Step Functions' results do not. */
function withoutSdkMetadata(response: unknown): Record<string, unknown> {
  if (typeof response !== 'object' || response === null) return {};
  const { $metadata: _metadata, ...rest } = response as Record<string, unknown>;
  return rest;
}
