import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ReleaseConfig } from '../core/config';
import { pathParameters, OPERATOR_API_ROUTES } from '../core/operator-api-routes';
import { ENV } from '../lambdas/handler-environment';
import { resourceOf } from './acknowledge';
import type { CmdbTable } from './cmdb-table';
import { HandlerFunction } from './handler-function';
import type { HttpApi } from './http-api';

export interface OperatorApiProps {
  /** The API the `/api/*` routes are added to. */
  readonly api: HttpApi;
  /** The validated `release.config.yaml`: repositories and environments the board shows and releases check. */
  readonly config: ReleaseConfig;
  /** The CMDB table: the board, history, releases and approvals are read and written there. */
  readonly table: CmdbTable;
  /** The promotion workflow that releases and rollbacks start, and whose approval tasks decisions answer. */
  readonly promotion: sfn.IStateMachine;
}

/**
 * The operators' `/api/*` routes (docs/architecture.md#http-api), all on one Lambda, every method `AWS_IAM`: the `cot`
 * CLI signs requests with the caller's credentials, and the handler records that identity on the releases
 * and decisions it makes. Who may call is decided by IAM policies granting `execute-api:Invoke` on the
 * API (`grantInvoke`).
 */
export class OperatorApi extends Construct {
  readonly handler: HandlerFunction<'operator-api'>;
  readonly methods: apigw.Method[];

  constructor(scope: Construct, id: string, props: OperatorApiProps) {
    super(scope, id);
    const { api, config, table, promotion } = props;

    this.handler = new HandlerFunction(this, 'Handler', {
      handler: 'operator-api',
      description: 'Operator API: board, history, releases, rollbacks, decisions and resume',
      // API Gateway gives up on an integration after 29 s.
      timeout: Duration.seconds(29),
      environment: {
        [ENV.product]: config.product,
        [ENV.tableName]: table.table.tableName,
        [ENV.promotionStateMachineArn]: promotion.stateMachineArn,
      },
      settings: { config },
    });
    promotion.grantStartExecution(this.handler);
    // Deciding an approval and superseding a waiting release answer the workflow's task token.
    promotion.grantTaskResponse(this.handler);
    table.grantOperatorApi(this.handler);

    const integration = new apigw.LambdaIntegration(this.handler, { allowTestInvoke: false });
    this.methods = OPERATOR_API_ROUTES.map(({ method, resource }) => {
      return api.api.root.resourceForPath(resource).addMethod(method, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: api.requestValidator,
        requestParameters: Object.fromEntries(pathParameters(resource).map((param) => [`method.request.path.${param}`, true])),
      });
    });
    for (const method of this.methods) {
      Validations.of(resourceOf(method)).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Operators are IAM identities (the cot CLI signs with SigV4): the method uses AWS_IAM authorization, not a Cognito user pool.',
      });
    }
  }
}
