import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { resourceOf } from './acknowledge';

export interface HttpApiProps {
  /**
   * Steady-state requests per second the `prod` stage accepts, all routes together.
   * @default 50 - far above what git hosts, approvers and operators send; a flood is refused with 429
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the `prod` stage accepts in a burst above the rate.
   * @default 100 - a push to many repositories at once (a monorepo script) still gets through
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Manage the account-wide API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`) in this stack.
   * API Gateway writes execution and access logs only when the account (per region) has that role; it is
   * one setting for the whole account, so another stack or the account's baseline usually owns it.
   * @default false - the account's existing role is used (docs/deploy-to-aws.md#api-gateway-logging-role)
   */
  readonly cloudWatchRole?: boolean;
}

/**
 * The one HTTP entry point of the stack (docs/architecture.md#http-api): a regional REST API with a `prod` stage that
 * throttles, traces with X-Ray, writes a JSON access log and INFO execution logs (never request or
 * response bodies: webhook bodies are signed payloads and approval forms carry decisions).
 *
 * Routes are added by other constructs on `api.root` (the webhook route by `WebhookApi`); methods that
 * validate parameters or bodies use `requestValidator`. Gateway errors (throttling, a too large body)
 * answer in the same `{ error, message }` JSON as our handlers.
 */
export class HttpApi extends Construct {
  readonly api: apigw.RestApi;
  /** Validates required parameters and, where a method names a model, its body. */
  readonly requestValidator: apigw.RequestValidator;
  readonly accessLogs: logs.LogGroup;
  /** Base URL of the `prod` stage, ending in `/`. */
  readonly url: string;
  /** The stage's name, known at synth: a URL built from it and `api.restApiId` does not depend on the stage's deployment. */
  readonly stageName = 'prod';

  constructor(scope: Construct, id: string, props: HttpApiProps = {}) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'codeontap-release: webhooks, approval links and the operator API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: props.cloudWatchRole ?? false,
      deployOptions: {
        stageName: this.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    this.jsonGatewayErrors();
    this.url = this.api.url;
    // RestApi outputs its URL under a generated id; the stack outputs it once, as `ApiUrl` (see docs/architecture.md#cli).
    this.api.node.tryRemoveChild('Endpoint');

    Validations.of(resourceOf(this.api.deploymentStage)).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'No WAF: webhooks are authenticated by signatures, approvals by signed links and /api/* by IAM; stage throttling bounds floods.',
    });
    const accountRole = this.api.node.tryFindChild('CloudWatchRole');
    if (accountRole) {
      Validations.of(resourceOf(accountRole)).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The AWS-managed policy made for the account-wide API Gateway logging role: CloudWatch Logs actions only (on any log group, as API Gateway names its execution log groups per API and stage), and only API Gateway can assume the role.',
      });
    }
  }

  /** Errors API Gateway answers itself (before any handler) in the shape callers parse. */
  private jsonGatewayErrors(): void {
    const errors: Array<[string, apigw.ResponseType, string]> = [
      ['TooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, 'payload_too_large'],
      ['Throttled', apigw.ResponseType.THROTTLED, 'throttled'],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, 'request_refused'],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, 'unavailable'],
    ];
    for (const [id, type, error] of errors) {
      this.api.addGatewayResponse(id, {
        type,
        responseHeaders: { 'Content-Type': "'application/json'" },
        // $context.error.messageString is API Gateway's own quoted message, never request content.
        templates: { 'application/json': `{"error":"${error}","message":$context.error.messageString}` },
      });
    }
  }
}
