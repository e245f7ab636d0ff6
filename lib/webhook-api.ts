import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';
import { ENV } from '../lambdas/handler-environment';
import { resourceOf } from './acknowledge';
import type { CmdbTable } from './cmdb-table';
import { HandlerFunction } from './handler-function';
import type { HttpApi } from './http-api';
import type { WebhookSecrets } from './webhook-secrets';

export interface WebhookApiProps {
  /** The API the route is added to. */
  readonly api: HttpApi;
  /** The validated `release.config.yaml`: repositories, environments, product. */
  readonly config: ReleaseConfig;
  /** The CMDB table: delivery claims, pushed commits, branch heads and tags are written there. */
  readonly table: CmdbTable;
  /** The continuous deployment workflow that a push of a tracked branch starts. */
  readonly stateMachine: sfn.IStateMachine;
  readonly secrets: WebhookSecrets;
}

/**
 * `POST /webhooks/{provider}` -> the webhook Lambda. The route has no authorizer: every delivery is
 * authenticated by its signature (or GitLab token) against the repository's secret, in the handler.
 *
 * Bodies reach the Lambda byte for byte: the API sets no binary media types, so an `application/json`
 * body is passed through as text (and the handler decodes one that arrives base64-encoded anyway).
 * API Gateway refuses bodies over 10 MB with 413; Lambda's own 6 MB request limit sits below that.
 */
export class WebhookApi extends Construct {
  readonly handler: HandlerFunction<'webhook'>;
  readonly method: apigw.Method;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const { api, config, table, stateMachine, secrets } = props;

    this.handler = new HandlerFunction(this, 'Handler', {
      handler: 'webhook',
      description: 'Verifies git host webhooks and starts continuous deployment of pushed commits',
      // A webhook must be answered within seconds (GitHub waits 10 s); the work here is three writes and one start.
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: {
        [ENV.product]: config.product,
        [ENV.tableName]: table.table.tableName,
        [ENV.continuousStateMachineArn]: stateMachine.stateMachineArn,
      },
      settings: { config, webhookSecrets: secrets.names },
    });
    stateMachine.grantStartExecution(this.handler);
    secrets.grantRead(this.handler);
    table.grantWebhookIntake(this.handler);

    const resource = api.api.root.resourceForPath('webhooks').addResource('{provider}');
    this.method = resource.addMethod('POST', new apigw.LambdaIntegration(this.handler, { allowTestInvoke: false }), {
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: api.requestValidator,
      requestParameters: { 'method.request.path.provider': true },
    });
    Validations.of(resourceOf(this.method)).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason: 'Git hosts cannot sign AWS requests: each webhook is authenticated by its HMAC signature (GitLab: token) in the handler.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Git hosts cannot hold Cognito tokens: each webhook is authenticated by its HMAC signature (GitLab: token) in the handler.',
      },
    );
  }
}
