import { ConflictError } from '../../core/errors';
import type { ContinuousInput, ProductInput, PromotionInput, WorkflowEngine } from '../../core/ports';
import { HANDLER_TAG, LIST_ARTIFACT_VERSIONS, WORKFLOW_TAG } from '../../lib/template-names';
import type { LocalCodeBuild } from './local-codebuild';
import {
  ExecutionAlreadyExistsError,
  LocalWorkflowRunner,
  renderDefinition,
  TaskTokenError,
  TaskTokenRegistry,
  type CfnTemplate,
  type ExecutionResult,
  type JsonValue,
  type WorkflowEvent,
  type WorkflowExecution,
} from './workflow';

export type WorkflowName = 'continuous' | 'promotion';

/** As the AWS adapter does: a token nobody waits on any more is a conflict, not a crash. */
function toDomainError(error: unknown): never {
  if (error instanceof TaskTokenError) throw new ConflictError(`the workflow no longer waits for this decision (${error.name})`, { cause: error });
  throw error;
}

/** An in-process Lambda handler, by the `cot:handler` tag of its function (the file name in `lambdas/`). */
export type LocalLambdas = Readonly<Record<string, (event: unknown) => Promise<unknown>>>;

export interface LocalWorkflowsOptions {
  readonly template: CfnTemplate;
  readonly lambdas: LocalLambdas;
  readonly codebuild: LocalCodeBuild;
  /** Where SNS publishes go. */
  readonly notify: (notification: { subject?: string; message: string }) => void;
  readonly tokens?: TaskTokenRegistry;
  readonly onEvent?: (workflow: WorkflowName, event: WorkflowEvent) => void;
  /** Told of every execution that ends (local mode reconciles what a run left open). */
  readonly onExecutionEnd?: (workflow: WorkflowName, execution: WorkflowExecution, result: ExecutionResult) => void;
  /** Test speed-ups: retry intervals by state name (seconds). */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | number[]>>;
  /**
   * Told of each service call a Task makes, as `lambda`, `codebuild`, `sns` or the exact SDK resource, with
   * what it calls (`FunctionName`, `ProjectName`, `TopicArn`, or the SDK parameters). The permission proof
   * checks these against the state machine's role.
   */
  readonly onTask?: (workflow: WorkflowName, service: string, params: Readonly<Record<string, unknown>>) => void;
}

/**
 * The `WorkflowEngine` of local mode: our own state machines, rendered from the synthesized template, run
 * by the local interpreter; Lambda Tasks call the handlers in process, CodeBuild Tasks the buildspec
 * runner, SNS Tasks the notification sink, and `.waitForTaskToken` Tasks wait on the token registry that
 * `sendTaskSuccess` / `sendTaskFailure` reach, as the AWS SDK calls reach Step Functions.
 */
export class LocalWorkflows implements WorkflowEngine {
  readonly tokens: TaskTokenRegistry;
  private readonly runners = new Map<WorkflowName, LocalWorkflowRunner>();

  constructor(private readonly options: LocalWorkflowsOptions) {
    this.tokens = options.tokens ?? new TaskTokenRegistry();
  }

  startContinuous(input: ContinuousInput, executionName: string): Promise<{ started: boolean; executionId: string }> {
    return this.start('continuous', input, executionName);
  }

  startPromotion(input: PromotionInput | ProductInput, executionName: string): Promise<{ started: boolean; executionId: string }> {
    return this.start('promotion', input, executionName);
  }

  /**
   * Local mode after a restart (docs/architecture.md#restart-recovery): a promotion run that goes straight
   * back to waiting at its gate (`input.resumeAt`), and waits there until `deadline` at the latest, the
   * deadline the wait had before the restart; past it, the wait expires at once.
   */
  resumePromotion(input: (PromotionInput | ProductInput) & { resumeAt: NonNullable<PromotionInput['resumeAt']> }, executionName: string, deadline: Date): Promise<{ started: boolean; executionId: string }> {
    return this.start('promotion', input, executionName, deadline);
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    await this.tokens.sendTaskSuccess(taskToken, JSON.stringify(output)).catch(toDomainError);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await this.tokens.sendTaskFailure(taskToken, error, cause).catch(toDomainError);
  }

  /** An execution started here, by the id `start*` returned. */
  execution(workflow: WorkflowName, executionId: string): WorkflowExecution | undefined {
    return this.runner(workflow).describe(executionId);
  }

  executions(workflow: WorkflowName): WorkflowExecution[] {
    return this.runner(workflow).list();
  }

  private async start(workflow: WorkflowName, input: ContinuousInput | PromotionInput | ProductInput, name: string, firstWaitDeadline?: Date) {
    try {
      const execution = this.runner(workflow).start(input as unknown as JsonValue, { name, ...(firstWaitDeadline ? { firstWaitDeadline } : {}) });
      return { started: true, executionId: execution.executionArn };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError) return { started: false, executionId: name };
      throw error;
    }
  }

  private runner(workflow: WorkflowName): LocalWorkflowRunner {
    let runner = this.runners.get(workflow);
    if (runner) return runner;
    const { template, lambdas, codebuild, notify } = this.options;
    const told = (service: string, params: Readonly<Record<string, unknown>>) => this.options.onTask?.(workflow, service, params);
    const rendered = renderDefinition(template, { tag: { key: WORKFLOW_TAG, value: workflow } });
    const handlerOf = (functionRef: string) => {
      const logicalId = rendered.logicalIdOf(functionRef);
      const tags = (logicalId && template.Resources?.[logicalId]?.Properties?.Tags) as Array<{ Key: string; Value: string }> | undefined;
      const name = tags?.find((tag) => tag.Key === HANDLER_TAG)?.Value;
      const handler = name ? lambdas[name] : undefined;
      if (!handler) throw new Error(`no local handler for Lambda ${functionRef} (${name ?? 'untagged'})`);
      return handler;
    };
    runner = new LocalWorkflowRunner({
      definition: rendered.definition,
      tokens: this.tokens,
      handlers: {
        lambda: (functionRef, payload) => (told('lambda', { FunctionName: functionRef }), handlerOf(functionRef)(payload)),
        codebuild: (project, params) => (told('codebuild', { ...params, ProjectName: project }), codebuild.startBuild(project, params)),
        sns: (params) => (told('sns', params), notify({ ...(typeof params.Subject === 'string' ? { subject: params.Subject } : {}), message: String(params.Message ?? '') })),
        // The artifact bucket is local CodeBuild's folder of versions.
        resources: { [LIST_ARTIFACT_VERSIONS]: (params) => (told(LIST_ARTIFACT_VERSIONS, params as Record<string, unknown>), codebuild.listObjectVersions(params)) },
      },
      ...(this.options.onEvent ? { onEvent: (event: WorkflowEvent) => this.options.onEvent?.(workflow, event) } : {}),
      ...(this.options.onExecutionEnd ? { onExecutionEnd: (execution: WorkflowExecution, result: ExecutionResult) => this.options.onExecutionEnd?.(workflow, execution, result) } : {}),
      ...(this.options.retryIntervalOverrides ? { retryIntervalOverrides: this.options.retryIntervalOverrides } : {}),
    });
    this.runners.set(workflow, runner);
    return runner;
  }
}
