/**
 * Local workflow engine: renders the CDK app's state machines to ASL and runs them on this machine with
 * aws-local-stepfunctions, each Task served by a local handler chosen by its Resource.
 */
export { renderDefinition, findStateMachine } from './render-definition';
export type { RenderedWorkflow, StateMachineSelector } from './render-definition';
export { TemplateResolutionError } from './cfn-intrinsics';
export type { CfnTemplate, ResolveOptions, ResourceOverrides, ResolvedReference } from './cfn-intrinsics';
export { validateDefinition, InvalidDefinitionError } from './validate-definition';
export { LocalWorkflowRunner, ExecutionAlreadyExistsError, InvalidNameError } from './local-workflow-runner';
export type { LocalWorkflowRunnerOptions, StartOptions } from './local-workflow-runner';
export type { WorkflowExecution, ExecutionResult, ExecutionStatus } from './local-execution';
export type { WorkflowEvent, WorkflowEventListener, WorkflowEventType } from './workflow-events';
export { UnservedTaskError, UnsupportedDefinitionError } from './interpreter-definition';
export { TaskTokenRegistry, TaskTokenError } from './task-token-registry';
export type { TaskCallbackPort, PendingTask, TaskTokenErrorName } from './task-token-registry';
export { TaskFailure } from './task-failure';
export type {
  TaskHandlers,
  TaskContext,
  LambdaHandler,
  CodeBuildHandler,
  LocalBuildResult,
  BuildStatus,
  DynamoDbHandler,
  DynamoDbAction,
  SnsHandler,
  ResourceHandler,
} from './task-integrations';
export type { AslDefinition, AslState } from './asl';
export type { JsonValue, JsonObject } from './json';
