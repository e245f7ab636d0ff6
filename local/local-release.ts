import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import { cmdbCreateTableInput } from '../adapters/aws/cmdb-table-input';
import { dynamoCmdbStores } from '../adapters/aws/dynamo-cmdb-stores';
import { BuildspecRunner } from '../adapters/local/buildspec';
import { LocalCodeBuild, localProjectNames } from '../adapters/local/local-codebuild';
import { LocalWorkflows, type LocalWorkflowsOptions } from '../adapters/local/local-workflows';
import { synthesizeReleaseTemplate } from '../adapters/local/release-template';
import { Approvals, type ApprovalNotifier } from '../core/approvals';
import type { CmdbStores } from '../core/cmdb-stores';
import type { ReleaseConfig } from '../core/config';
import { EnvironmentChain } from '../core/environment-chain';
import { PromotionSteps } from '../core/promotion-steps';
import { approvalRequestHandler } from '../lambdas/approval-request';
import { promotionStepHandler } from '../lambdas/promotion-step';
import { ContinuousSteps } from '../core/continuous-steps';
import { systemClock, type Clock } from '../core/ports';
import { buildTargets } from '../lambdas/aws-wiring';
import { continuousStepHandler } from '../lambdas/continuous-step';

export const LOCAL_TABLE_NAME = 'cot-cmdb';
/** Local mode's stand-in for the artifact bucket's name; artifacts live in `<data>/artifacts`. */
const LOCAL_BUCKET = 'local-artifacts';

export interface Notification {
  readonly subject?: string;
  readonly message: string;
}

export interface LocalReleaseOptions {
  readonly config: ReleaseConfig;
  /** The data folder (`.cot`): repos, artifacts, logs, environments, outbox. */
  readonly dataDir: string;
  /** A running DynamoDB Local. */
  readonly dynamoEndpoint: string;
  /** @default 'cot-cmdb' */
  readonly tableName?: string;
  readonly clock?: Clock;
  readonly onWorkflowEvent?: LocalWorkflowsOptions['onEvent'];
  readonly onBuildOutput?: (project: string, line: string) => void;
  readonly onNotification?: (notification: Notification) => void;
  readonly retryIntervalOverrides?: LocalWorkflowsOptions['retryIntervalOverrides'];
  /** Tells approvers (the outbox in local mode); made with the CMDB stores it reads. */
  readonly notifier?: (stores: CmdbStores) => ApprovalNotifier;
}

/**
 * The product wired for one machine: the CMDB in DynamoDB Local (the table the stack defines), the
 * state machines of the synthesized stack run by the local interpreter, the Lambda handlers in process,
 * CodeBuild as the buildspec runner. Local mode serves it over HTTP; tests drive it directly.
 */
export class LocalRelease {
  readonly stores: CmdbStores;
  readonly workflows: LocalWorkflows;
  readonly codebuild: LocalCodeBuild;
  readonly approvals: Approvals;
  readonly notifications: Notification[] = [];

  private constructor(
    readonly options: LocalReleaseOptions,
    readonly documentClient: DynamoDBDocumentClient,
  ) {
    const { config, dataDir } = options;
    const clock = options.clock ?? systemClock;
    this.stores = dynamoCmdbStores(documentClient, options.tableName ?? LOCAL_TABLE_NAME, config.product);
    const { releases, approvals, pushes, leases } = this.stores;
    this.codebuild = new LocalCodeBuild({
      dataDir,
      runner: new BuildspecRunner({ workRoot: join(dataDir, 'work') }),
      repositories: config.repositories,
      repositoryDir: (name) => this.repositoryDir(name),
      ...(options.onBuildOutput ? { onOutput: options.onBuildOutput } : {}),
    });
    const chain = new EnvironmentChain(config);
    const targets = buildTargets(Object.fromEntries(config.repositories.map((repository) => [repository.name, localProjectNames(repository.name)])), LOCAL_BUCKET);
    this.workflows = new LocalWorkflows({
      template: synthesizeReleaseTemplate(config),
      lambdas: {
        'continuous-step': continuousStepHandler({ steps: new ContinuousSteps({ releases, pushes, leases, clock }), targets }),
        'promotion-step': promotionStepHandler({ steps: new PromotionSteps({ releases, approvals, leases, clock, chain }), targets }),
        'approval-request': (event) => approvalRequestHandler({ approvals: this.approvals })(event),
      },
      codebuild: this.codebuild,
      notify: (notification) => {
        this.notifications.push(notification);
        options.onNotification?.(notification);
      },
      ...(options.onWorkflowEvent ? { onEvent: options.onWorkflowEvent } : {}),
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
    });
    this.approvals = new Approvals({ releases, approvals, workflows: this.workflows, clock, chain, ...(options.notifier ? { notifier: options.notifier(this.stores) } : {}) });
  }

  /** Wires everything and makes sure the CMDB table exists (a restart keeps it). */
  static async create(options: LocalReleaseOptions): Promise<LocalRelease> {
    const client = new DynamoDBClient({
      endpoint: options.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await client.send(new CreateTableCommand(cmdbCreateTableInput(options.tableName ?? LOCAL_TABLE_NAME)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    return new LocalRelease(options, DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }));
  }

  /** The git repository local mode builds a configured repository from. */
  repositoryDir(repository: string): string {
    return join(this.options.dataDir, 'repos', repository);
  }
}
