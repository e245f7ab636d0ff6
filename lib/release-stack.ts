import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';
import { ApprovalsResources } from './approvals';
import { ArtifactStore } from './artifact-store';
import { BuildProjects } from './build-projects';
import { ChatNotifications } from './chat-notifications';
import { CmdbTable } from './cmdb-table';
import { commitStatusTokenSecrets, grantCommitStatusTokens } from './commit-status-tokens';
import { ENV } from '../lambdas/handler-environment';
import { ReleaseConsole } from './console';
import { ReleaseMonitoring } from './monitoring';
import { DeployTargets } from './deploy-targets';
import { ContinuousWorkflow } from './continuous-workflow';
import { Notifications } from './notifications';
import { OperatorApi } from './operator-api';
import { Reconciliation } from './reconciliation';
import { PromotionWorkflow } from './promotion-workflow';
import { ApprovalReminders } from './reminders';
import { HttpApi } from './http-api';
import { WebhookApi } from './webhook-api';
import { WebhookSecrets } from './webhook-secrets';

export interface ReleaseStackProps extends StackProps {
  /** The validated `release.config.yaml`. */
  readonly config: ReleaseConfig;
  /**
   * Let this stack set the account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`), one
   * setting per account and region; `cdk deploy -c apiGatewayLogsRole=true`.
   * @default false - the account already has the role (docs/deploy-to-aws.md#api-gateway-logging-role)
   */
  readonly apiGatewayLogsRole?: boolean;
}

/**
 * codeontap-release in one stack: the CMDB, the artifact store and each repository's build, deploy and
 * test projects. It wires constructs together and holds no resource details of its own.
 */
export class ReleaseStack extends Stack {
  readonly cmdb: CmdbTable;
  readonly artifacts: ArtifactStore;
  readonly projects: ReadonlyMap<string, BuildProjects>;
  readonly deployTargets: DeployTargets;
  readonly notifications: Notifications;
  readonly continuous: ContinuousWorkflow;
  readonly promotion: PromotionWorkflow;
  readonly api: HttpApi;
  readonly webhookSecrets: WebhookSecrets;
  readonly webhooks: WebhookApi;
  readonly operatorApi: OperatorApi;
  /** Closes what a workflow execution left open when it ended outside its own Catch. */
  readonly reconciliation: Reconciliation;
  readonly approvals: ApprovalsResources;
  /** The web console: its Cognito user pool and groups, its page and API (docs/console.md). */
  readonly console: ReleaseConsole;
  /** One reminder per undecided approval (docs/operations.md#reminders). */
  readonly reminders: ApprovalReminders;
  /** The dashboard and the alarms (docs/operations.md#dashboard-and-alarms). */
  readonly monitoring: ReleaseMonitoring;
  /** Slack or Microsoft Teams through AWS Chatbot, when `notifications.chat` asks for it. */
  readonly chat?: ChatNotifications;

  constructor(scope: Construct, id: string, props: ReleaseStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.cmdb = new CmdbTable(this, 'Cmdb');
    this.artifacts = new ArtifactStore(this, 'Artifacts');
    this.projects = new Map(
      config.repositories.map((repository) => [
        repository.name,
        new BuildProjects(this, `Projects-${repository.name}`, { repository, artifactBucket: this.artifacts.bucket }),
      ]),
    );
    this.deployTargets = new DeployTargets(this, 'DeployTargets', { environments: config.environments, projects: this.projects, artifactBucket: this.artifacts.bucket });
    this.notifications = new Notifications(this, 'Notifications');
    if (config.notifications.chat) this.chat = new ChatNotifications(this, 'Chat', { chat: config.notifications.chat, topic: this.notifications.topic });
    this.continuous = new ContinuousWorkflow(this, 'Continuous', {
      config,
      table: this.cmdb,
      projects: this.projects,
      artifactBucket: this.artifacts.bucket,
      topic: this.notifications.topic,
      deployTargets: this.deployTargets,
    });
    this.promotion = new PromotionWorkflow(this, 'Promotion', {
      config,
      table: this.cmdb,
      projects: this.projects,
      artifactBucket: this.artifacts.bucket,
      topic: this.notifications.topic,
      deployTargets: this.deployTargets,
    });
    for (const workflow of [this.continuous, this.promotion]) this.notifications.grantPublish(workflow.stateMachine);
    this.api = new HttpApi(this, 'Api', { cloudWatchRole: props.apiGatewayLogsRole ?? false });
    this.webhookSecrets = new WebhookSecrets(this, 'WebhookSecrets', { config });
    this.webhooks = new WebhookApi(this, 'Webhooks', {
      api: this.api,
      config,
      table: this.cmdb,
      stateMachine: this.continuous.stateMachine,
      secrets: this.webhookSecrets,
    });
    // The webhook only records pushes; the continuous run's first step moves the branch head
    // (docs/architecture.md#webhooks). An update deploys that step first, so no push is recorded by a
    // new webhook for an earlier step function, which would never move the head.
    this.webhooks.handler.node.addDependency(this.continuous.steps);
    this.approvals = new ApprovalsResources(this, 'Approvals', { api: this.api, table: this.cmdb, stateMachine: this.promotion.stateMachine, config });
    this.approvals.grantNotify(this.promotion.approvalRequest);
    this.reminders = new ApprovalReminders(this, 'Reminders', { approvalRequest: this.promotion.approvalRequest });
    this.operatorApi = new OperatorApi(this, 'OperatorApi', { api: this.api, config, table: this.cmdb, promotion: this.promotion.stateMachine });
    this.reconciliation = new Reconciliation(this, 'Reconciliation', { config, table: this.cmdb, stateMachines: [this.continuous.stateMachine, this.promotion.stateMachine], notifications: this.notifications });

    this.console = new ReleaseConsole(this, 'Console', { api: this.api, config, table: this.cmdb, promotion: this.promotion.stateMachine });
    // Commit statuses (docs/operations.md#commit-statuses): the step functions read the configured token
    // secrets and link each status to the console's release page.
    if (commitStatusTokenSecrets(config).length > 0) {
      for (const steps of [this.continuous.steps, this.promotion.steps]) {
        grantCommitStatusTokens(steps, config);
        steps.setEnvironment({ [ENV.consoleUrl]: this.console.url });
      }
    }
    // The approval notices (waiting, expiring) go to the topic as the workflows' outcomes do.
    this.notifications.grantPublish(this.promotion.approvalRequest);

    // Last: it watches every function the stack has made.
    this.monitoring = new ReleaseMonitoring(this, 'Monitoring', {
      notifications: this.notifications,
      workflows: [
        { name: 'continuous', stateMachine: this.continuous.stateMachine, logs: this.continuous.node.findChild('StateMachineLogs') as logs.ILogGroup },
        { name: 'promotion', stateMachine: this.promotion.stateMachine, logs: this.promotion.node.findChild('StateMachineLogs') as logs.ILogGroup },
      ],
      promotionLogs: this.promotion.node.findChild('StateMachineLogs') as logs.ILogGroup,
      api: this.api.api,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API (cot --endpoint); webhooks go to <ApiUrl>webhooks/<provider>' });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The web console: the release board (sign in with the ConsoleUserPoolId user pool)' });
    new CfnOutput(this, 'ConsoleUserPoolId', { value: this.console.userPool.userPoolId, description: 'Cognito user pool of the console: add people and put them in its groups' });
    new CfnOutput(this, 'CmdbTableName', { value: this.cmdb.table.tableName, description: 'The CMDB DynamoDB table' });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.artifacts.bucket.bucketName, description: 'Where each commit\'s build artifact is stored' });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn, description: 'Subscribe to hear of failures and acceptances' });
    new CfnOutput(this, 'ContinuousStateMachineArn', { value: this.continuous.stateMachine.stateMachineArn, description: 'The continuous deployment workflow' });
    new CfnOutput(this, 'DashboardUrl', { value: this.monitoring.dashboardUrl, description: 'The CloudWatch dashboard: workflows, API, functions, builds, approvals' });
    new CfnOutput(this, 'PromotionStateMachineArn', { value: this.promotion.stateMachine.stateMachineArn, description: 'The promotion workflow' });
  }
}
