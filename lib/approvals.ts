import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { approvalSigningKeyName } from '../core/approval-notifier';
import type { ReleaseConfig } from '../core/config';
import { ENV } from '../lambdas/handler-environment';
import { defaultPolicyOf, nagResource, resourceOf } from './acknowledge';
import type { CmdbTable } from './cmdb-table';
import { HandlerFunction } from './handler-function';
import type { HttpApi } from './http-api';

export interface ApprovalsResourcesProps {
  /** The API that serves `/approvals/{id}`. */
  readonly api: HttpApi;
  /** The CMDB: approvals are read and decided there. */
  readonly table: CmdbTable;
  /** The promotion workflow whose approval Tasks wait for a decision (`.waitForTaskToken`). */
  readonly stateMachine: sfn.IStateMachine;
  /** The validated `release.config.yaml`: approvers, environments, the sender of approval emails. */
  readonly config: ReleaseConfig;
}

/** The stage `HttpApi` deploys; emailed links include it. */
const STAGE = 'prod';

/**
 * Emailed approvals: the HMAC key that signs links, the approval page Lambda behind
 * `GET|HEAD|POST /approvals/{id}`, and what a function needs to send approval emails (`grantNotify`).
 *
 * The routes have no authorizer: approvers follow a link from an email and hold no AWS identity. The
 * link's signature (approval id, approver, expiry) is the authentication, checked in the handler, which
 * also requires the approver to be one of the approval and of the environment in the config.
 */
export class ApprovalsResources extends Construct {
  /** 64 random letters and digits; rotating it invalidates every link already sent. */
  readonly signingKey: secretsmanager.Secret;
  readonly signingKeyName: string;
  readonly pageHandler: HandlerFunction<'approval-page'>;
  readonly methods: readonly apigw.Method[];
  /**
   * Where emailed links point: the API's stage URL, built from the REST API id rather than the stage
   * resource, so that a function the promotion workflow invokes may hold it without a dependency cycle
   * (stage -> deployment -> methods -> page Lambda -> its policy -> state machine -> that function).
   */
  readonly linkBaseUrl: string;
  private readonly from: string;

  constructor(scope: Construct, id: string, props: ApprovalsResourcesProps) {
    super(scope, id);
    const { api, table, stateMachine, config } = props;
    const stack = Stack.of(this);
    this.from = config.notifications.from;
    this.signingKeyName = approvalSigningKeyName(config.product, stack.stackName);
    this.linkBaseUrl = `https://${api.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE}/`;

    this.signingKey = new secretsmanager.Secret(this, 'SigningKey', {
      secretName: this.signingKeyName,
      description: `Signs the approval links of ${config.product}: a link is valid for its approval, approver and expiry only`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(resourceOf(this.signingKey)).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the link signing key invalidates every approval link in flight; it is rotated by hand between releases.',
    });

    this.pageHandler = new HandlerFunction(this, 'PageHandler', {
      handler: 'approval-page',
      description: 'Approval pages: shows a decision from a signed link and records the approver\'s answer once',
      timeout: Duration.seconds(10),
      environment: {
        [ENV.product]: config.product,
        [ENV.tableName]: table.table.tableName,
        [ENV.approvalSigningKeySecret]: this.signingKeyName,
      },
      settings: { config },
    });
    table.grantApprovalDecisions(this.pageHandler);
    this.signingKey.grantRead(this.pageHandler);
    stateMachine.grantTaskResponse(this.pageHandler);

    const resource = api.api.root.resourceForPath('approvals').addResource('{id}');
    const integration = new apigw.LambdaIntegration(this.pageHandler, { allowTestInvoke: false });
    // HEAD too: mail scanners probe links with it, and it must answer as GET does (and change nothing).
    this.methods = ['GET', 'HEAD', 'POST'].map((method) => {
      const added = resource.addMethod(method, integration, {
        authorizationType: apigw.AuthorizationType.NONE,
        requestValidator: api.requestValidator,
        // `t` is not required here: a link without it gets the handler's HTML refusal, not a JSON 400.
        requestParameters: { 'method.request.path.id': true },
      });
      Validations.of(resourceOf(added)).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: 'Approvers open a link from an email and hold no AWS identity: the link\'s HMAC signature (approval, approver, expiry) authenticates them in the handler.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'Approvers hold no Cognito session: the link\'s HMAC signature (approval, approver, expiry) authenticates them in the handler.',
        },
      );
      return added;
    });
  }

  /**
   * `ses:SendEmail` and `ses:SendRawEmail` with the configured sender as the From address. SES checks a
   * send against every identity it involves: the sender's (the address, or its domain) and, while the
   * account is in the SES sandbox, each recipient's too. So the grant names any identity of this account
   * and region, and the `ses:FromAddress` condition is what keeps the function to its one sender.
   */
  grantSendEmail(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const identities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['ses:SendEmail', 'ses:SendRawEmail'], resourceArns: [identities], conditions: { StringEquals: { 'ses:FromAddress': this.from } } });
    const role = grantee.grantPrincipal instanceof iam.Role ? grantee.grantPrincipal : undefined;
    Validations.of(defaultPolicyOf(role)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, identities)}]`,
      reason: `SES authorises a send against the sender's identity and, in the SES sandbox, each recipient's identity as well, so no fixed list of identities works; the ses:FromAddress condition limits sends to ${this.from}.`,
    });
    return grant;
  }

  /**
   * Makes `fn` able to email approval links: where they point, which key signs them (read), and SES. For
   * the function that `Approvals.request` runs in (the promotion workflow's approval-request function).
   */
  grantNotify(fn: HandlerFunction<'approval-request'>): void {
    fn.setEnvironment({ [ENV.approvalBaseUrl]: this.linkBaseUrl, [ENV.approvalSigningKeySecret]: this.signingKeyName });
    this.signingKey.grantRead(fn);
    this.grantSendEmail(fn);
  }
}
