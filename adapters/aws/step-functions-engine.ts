import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ConflictError, DomainError, TransientError, ValidationError } from '../../core/errors';
import type { ContinuousInput, ProductInput, PromotionInput, WorkflowEngine } from '../../core/ports';
import { isTransientAwsError } from './aws-errors';

/** The state machines a Lambda may start; absent in Lambdas that never start one (approvals only send task results). */
export interface WorkflowArns {
  readonly continuous?: string;
  readonly promotion?: string;
}

/** The decision came too late or twice: the workflow no longer waits for this token. */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut']);
const INVALID = new Set(['InvalidToken', 'InvalidOutput', 'InvalidName', 'InvalidExecutionInput']);

/**
 * The workflow engine on AWS Step Functions (Standard workflows). Execution names are unique per state
 * machine for 90 days after an execution closes: a second StartExecution with a used name fails with
 * `ExecutionAlreadyExists`, which is `started: false` here. (Step Functions answers success instead
 * when the same name and input are still running: a racing twin then gets the same execution id.)
 */
export class StepFunctionsEngine implements WorkflowEngine {
  constructor(
    private readonly client: SFNClient,
    private readonly arns: WorkflowArns,
  ) {}

  async startContinuous(input: ContinuousInput, executionName: string) {
    if (!this.arns.continuous) throw new Error('this function was given no continuous state machine');
    return this.start(this.arns.continuous, input, executionName);
  }

  async startPromotion(input: PromotionInput | ProductInput, executionName: string) {
    if (!this.arns.promotion) throw new Error('this function was given no promotion state machine');
    return this.start(this.arns.promotion, input, executionName);
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    await this.call(() => this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) })));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    // Step Functions caps error at 256 and cause at 32768 characters.
    await this.call(() => this.client.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32_768) })));
  }

  private async start(stateMachineArn: string, input: unknown, name: string): Promise<{ started: boolean; executionId: string }> {
    try {
      const result = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { started: true, executionId: result.executionArn ?? executionArn(stateMachineArn, name) };
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionAlreadyExists') return { started: false, executionId: executionArn(stateMachineArn, name) };
      throw toDomainError(error);
    }
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toDomainError(error);
    }
  }
}

/** `arn:...:stateMachine:<machine>` -> `arn:...:execution:<machine>:<name>`, as Step Functions names it. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Step Functions' failures as domain errors, so the use cases and workflow retries never see SDK names. */
function toDomainError(error: unknown): Error {
  if (error instanceof DomainError || !(error instanceof Error)) return error instanceof Error ? error : new Error(String(error));
  if (isTransientAwsError(error)) return new TransientError(`Step Functions is busy (${error.name}); try again`, { cause: error });
  if (GONE.has(error.name)) return new ConflictError('the workflow no longer waits for this decision', { cause: error });
  if (INVALID.has(error.name)) return new ValidationError(`Step Functions refused the request (${error.name})`, { cause: error });
  return error;
}
