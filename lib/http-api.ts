import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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

  constructor(scope: Construct, id: string, props: HttpApiProps = {}) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'codeontap-release: webhooks, approval links and the operator API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // API Gateway writes execution logs through an account-wide role; this stack sets it.
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'prod',
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

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason: 'No WAF: webhooks are authenticated by signatures, approvals by signed links and /api/* by IAM; stage throttling bounds floods.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The AWS-managed policy of the account-wide API Gateway logging role only lets API Gateway write CloudWatch logs.',
      },
    );
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
