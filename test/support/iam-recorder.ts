import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EmailMessage, Mailer, SecretStore, WorkflowEngine } from '../../core/ports';
import type { LocalObserver, Notification } from '../../local/local-wiring';
import { needsOf } from './cmdb-recorder';
import { PROOF_ACCOUNT, type IamRequest } from './iam-evaluator';

/** One AWS call a handler made, and what IAM is asked for it. */
export interface RecordedCall {
  /** The `cot:handler` name of the handler that sent it. */
  readonly handler: string;
  /** The SDK command as sent (`TransactWriteItemsCommand`), or the one the AWS adapter sends for a local port call. */
  readonly command: string;
  readonly request: IamRequest;
}

/** Where the stand-ins local mode uses in place of AWS services live on AWS. */
export interface AwsNames {
  /** State machine ARNs by workflow. */
  readonly stateMachines: { readonly continuous: string; readonly promotion: string };
  /** A secret's ARN from the name local mode reads it by. */
  readonly secretArn: (name: string) => string;
  /** A CodeBuild project's ARN from the name local mode gives it (`<repo>-build`). */
  readonly projectArn: (localName: string) => string;
  /** The artifact bucket's ARN (local mode calls it by a stand-in name). */
  readonly artifactBucketArn: string;
  /** The notification topic and its KMS key (local mode files notices in the outbox). */
  readonly topicArn: string;
  readonly topicKeyArn: string;
}

/** The `handler` of a state machine's own calls: `workflow:continuous`, `workflow:promotion`. */
export const WORKFLOW_CALLER = 'workflow:';

const running = new AsyncLocalStorage<string>();
const { partition, region, accountId } = PROOF_ACCOUNT;

/**
 * Records every AWS call each handler makes while local mode runs a flow, for the permission proof
 * (docs/deploy-to-aws.md#permission-proof). Install it as local mode's observer (`observe:`): it runs each
 * handler local mode starts under that handler's name, adds a middleware to each SDK client (the CMDB's
 * DynamoDB client) that records the command with the handler sending it, and watches the ports local mode
 * serves without AWS (workflows, secrets, email, approval notices): for each of their calls it records
 * what the AWS adapter sends for it (`adapters/aws/step-functions-engine.ts`, `secrets-manager-store.ts`,
 * `ses-mailer.ts`, `sns-notices.ts`). Handlers the test invokes itself (the HTTP ones) are wrapped with `asHandler`.
 * Calls made outside any handler (a test seeding the CMDB) are not recorded.
 */
export class IamRecorder {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly names: AwsNames) {}

  /** The observer to give local mode. */
  get observer(): LocalObserver {
    return {
      client: (client) => this.watchDynamo(client),
      handler: (name, run) => this.asHandler(name, run),
      workflows: (engine) => this.watchWorkflows(engine),
      secrets: (store) => this.watchSecrets(store),
      mailer: (mailer) => this.watchMailer(mailer),
      announce: (announce) => this.watchAnnounce(announce),
      task: (workflow, service, params) => this.recordTask(`${WORKFLOW_CALLER}${workflow}`, service, params),
    };
  }

  /** A state machine's Task calling a service, as the integration asks IAM on AWS. */
  private recordTask(caller: string, service: string, params: Readonly<Record<string, unknown>>): void {
    const push = (command: string, request: IamRequest) => this.calls.push({ handler: caller, command, request });
    if (service === 'lambda') push('lambda:invoke', { action: 'lambda:InvokeFunction', resource: String(params.FunctionName) });
    else if (service === 'codebuild') push('codebuild:startBuild.sync', { action: 'codebuild:StartBuild', resource: this.names.projectArn(String(params.ProjectName)) });
    else if (service === 'sns') push('sns:publish', { action: 'sns:Publish', resource: String(params.TopicArn) });
    else if (service.endsWith(':s3:listObjectVersions')) {
      push('aws-sdk:s3:listObjectVersions', { action: 's3:ListBucketVersions', resource: this.names.artifactBucketArn, context: { 's3:prefix': String(params.Prefix) } });
    } else throw new Error(`the recorder does not know what IAM asks of ${service}: teach test/support/iam-recorder.ts`);
  }

  /** `run`, with every call it makes recorded as `name`'s. */
  asHandler<E, R>(name: string, run: (event: E) => Promise<R>): (event: E) => Promise<R> {
    return (event) => running.run(name, () => run(event));
  }

  watchDynamo(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const handler = running.getStore();
        if (handler) {
          const command = String(context.commandName);
          for (const request of dynamoRequests(command, args.input as Record<string, unknown>)) this.calls.push({ handler, command, request });
        }
        return next(args);
      },
      { step: 'initialize', name: 'iamRecorder' },
    );
  }

  private record(command: string, request: IamRequest): void {
    const handler = running.getStore();
    if (handler) this.calls.push({ handler, command, request });
  }

  private watchWorkflows(engine: WorkflowEngine): WorkflowEngine {
    const { continuous, promotion } = this.names.stateMachines;
    // Task tokens come from the promotion workflow's approval gates: the only Tasks that wait for one.
    return {
      startContinuous: (input, name) => (this.record('StartExecutionCommand', { action: 'states:StartExecution', resource: continuous }), engine.startContinuous(input, name)),
      startPromotion: (input, name) => (this.record('StartExecutionCommand', { action: 'states:StartExecution', resource: promotion }), engine.startPromotion(input, name)),
      sendTaskSuccess: (token, output) => (this.record('SendTaskSuccessCommand', { action: 'states:SendTaskSuccess', resource: promotion }), engine.sendTaskSuccess(token, output)),
      sendTaskFailure: (token, error, cause) => (this.record('SendTaskFailureCommand', { action: 'states:SendTaskFailure', resource: promotion }), engine.sendTaskFailure(token, error, cause)),
    };
  }

  private watchSecrets(store: SecretStore): SecretStore {
    return {
      get: (name) => (this.record('GetSecretValueCommand', { action: 'secretsmanager:GetSecretValue', resource: this.names.secretArn(name) }), store.get(name)),
    };
  }

  /** An approval notice: one SNS Publish to the encrypted topic, for which SNS asks for a data key as the caller. */
  private watchAnnounce(announce: (notice: Notification) => Promise<void>): (notice: Notification) => Promise<void> {
    return (notice) => {
      this.record('PublishCommand', { action: 'sns:Publish', resource: this.names.topicArn });
      this.record('PublishCommand', { action: 'kms:GenerateDataKey', resource: this.names.topicKeyArn });
      return announce(notice);
    };
  }

  private watchMailer(mailer: Mailer): Mailer {
    return {
      send: (message: EmailMessage) => {
        // SES authorizes the sending identity, and in the sandbox each recipient's identity as well.
        for (const identity of [message.from, ...message.to]) {
          this.record('SendEmailCommand', { action: 'ses:SendEmail', resource: `arn:${partition}:ses:${region}:${accountId}:identity/${identity}`, context: { 'ses:FromAddress': message.from } });
        }
        return mailer.send(message);
      },
    };
  }
}

/**
 * What IAM asks of one DynamoDB command: the action of each item (a transaction's items each need their
 * own, `needsOf`) on the table it names, or on `table/<name>/index/<index>` for a Query of an index.
 */
export function dynamoRequests(command: string, input: Record<string, unknown>): IamRequest[] {
  const tables = tablesOf(input);
  const table = (name: string) => `arn:${partition}:dynamodb:${region}:${accountId}:table/${name}`;
  return needsOf(command, input).map((need, index) => {
    const name = tables[Math.min(index, tables.length - 1)] ?? '';
    const resource = need.on === 'index' ? `${table(name)}/index/${String(input.IndexName)}` : table(name);
    return { action: `dynamodb:${need.action}`, resource };
  });
}

/** The table each item of a command is on, in the order `needsOf` lists the items. */
function tablesOf(input: Record<string, unknown>): string[] {
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Array<Record<string, { TableName?: string }>>).flatMap((item) => Object.values(item).map((part) => String(part.TableName)));
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems);
  return [String(input.TableName)];
}
