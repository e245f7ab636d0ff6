import { Aws, Duration, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeConsoleAssetsSync } from '../console/build';
import type { ReleaseConfig } from '../core/config';
import { CONSOLE_GROUPS } from '../core/console-access';
import { CONSOLE_API_ROUTES, CONSOLE_ASSETS_DIR, CONSOLE_PAGE_ROUTES } from '../core/console-routes';
import { pathParameters } from '../core/operator-api-routes';
import { ENV } from '../lambdas/handler-environment';
import { resourceOf } from './acknowledge';
import type { CmdbTable } from './cmdb-table';
import { HandlerFunction } from './handler-function';
import type { HttpApi } from './http-api';

export interface ConsoleProps {
  /** The API the console's page, assets and `/console/api/*` routes are added to. */
  readonly api: HttpApi;
  /** The validated `release.config.yaml`: one `approvers-<env>` group per approval environment. */
  readonly config: ReleaseConfig;
  /** The CMDB table the console reads and writes, as the operator API does. */
  readonly table: CmdbTable;
  /** The promotion workflow that releases and rollbacks start and decisions answer. */
  readonly promotion: sfn.IStateMachine;
  /**
   * The hosted UI's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`), unique in the region.
   * @default `<product>-<hash of the stack name>-<account id>`
   */
  readonly domainPrefix?: string;
  /**
   * Whether every console user must use an authenticator app (TOTP) to sign in.
   * @default false - MFA is optional: each person may turn it on (docs/console.md#signing-in-aws)
   */
  readonly requireMfa?: boolean;
}

/**
 * The web console on AWS (docs/console.md): a Cognito user pool whose groups give the roles
 * (`viewers`, `release-managers`, `approvers-<env>`), its hosted UI for signing in, a page function
 * behind `/console` (the page and its assets, public: they hold no data) and the console function behind
 * `/console/api/*` (a Cognito user pools authoriser; the function verifies the token again and checks
 * the groups on every action). The CLI's `/api/*` keeps IAM.
 */
export class ReleaseConsole extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly groups: cognito.CfnUserPoolGroup[];
  readonly authorizer: apigw.CognitoUserPoolsAuthorizer;
  /** Serves the console API. */
  readonly handler: HandlerFunction<'console'>;
  /** Serves the page and its assets. */
  readonly pageHandler: HandlerFunction<'console-page'>;
  /** The hosted UI: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly signInUrl: string;
  readonly methods: apigw.Method[];
  /** The page's address: the `ConsoleUrl` output. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const { api, config, table, promotion } = props;
    const stack = Stack.of(this);
    // From the API's id and the stage's name, not the stage itself: the app client's callback URL must
    // not wait for the deployment, which waits for the methods, which wait for this function.
    this.url = `https://${api.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${api.stageName}/console`;

    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${config.product}-console`,
      // People are invited by an administrator (docs/console.md#adding-people); nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      // A changed address is used only once it is verified (docs/console.md#who-may-do-what).
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: props.requireMfa ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      // The people and their groups outlive a stack that is deleted by mistake.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      // Sign-in is the hosted UI's code flow only: no direct SRP or password sign-in, whose tokens could
      // change the person's own attributes; the client may read attributes but write none.
      authFlows: { userSrp: false },
      writeAttributes: new cognito.ClientAttributes(),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    const domainPrefix = props.domainPrefix ?? defaultDomainPrefix(config.product, stack.stackName);
    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix } });
    // Spelled out rather than `domain.baseUrl()`: its parts are known at synth or pseudo parameters,
    // which keeps the page function's environment small (lib/handler-function.ts).
    this.signInUrl = `https://${domainPrefix}.auth.${stack.region}.amazoncognito.com`;

    const approvalEnvironments = config.environments.filter((env) => env.mode === 'approval').map((env) => env.name);
    this.groups = [
      { id: 'Viewers', name: CONSOLE_GROUPS.viewers, description: 'See the board, histories and releases' },
      { id: 'ReleaseManagers', name: CONSOLE_GROUPS.releaseManagers, description: 'Release, roll back and resume, besides seeing everything' },
      ...approvalEnvironments.map((env) => ({ id: `Approvers-${env}`, name: CONSOLE_GROUPS.approvers(env), description: `Approve or reject releases in ${env}` })),
    ].map(({ id: groupId, name, description }) => new cognito.CfnUserPoolGroup(this, groupId, { userPoolId: this.userPool.userPoolId, groupName: name, description }));

    this.pageHandler = new HandlerFunction(this, 'PageHandler', {
      handler: 'console-page',
      description: 'Web console: the page and its bundled script and style (no data)',
      memorySize: 256,
      environment: {
        [ENV.product]: config.product,
        [ENV.userPoolClientId]: this.client.userPoolClientId,
        [ENV.userPoolDomainUrl]: this.signInUrl,
      },
      settings: {},
      files: stack.bundlingRequired ? stageAssets(this) : {},
    });
    this.handler = new HandlerFunction(this, 'Handler', {
      handler: 'console',
      description: 'Web console API: the board, histories, releases, rollbacks, decisions, resume (Cognito groups checked per action)',
      timeout: Duration.seconds(29),
      environment: {
        [ENV.product]: config.product,
        [ENV.tableName]: table.table.tableName,
        [ENV.promotionStateMachineArn]: promotion.stateMachineArn,
        [ENV.userPoolId]: this.userPool.userPoolId,
      },
      settings: { config },
    });
    promotion.grantStartExecution(this.handler);
    promotion.grantTaskResponse(this.handler);
    table.grantOperatorApi(this.handler);
    // Besides what the operator API reads: commit messages, and the accepted commits a picker offers.
    table.grantStores(this.handler, { pushes: ['getCommit'], releases: ['acceptedCommits'] });

    this.authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
    });
    const integrations = {
      page: new apigw.LambdaIntegration(this.pageHandler, { allowTestInvoke: false }),
      api: new apigw.LambdaIntegration(this.handler, { allowTestInvoke: false }),
    };
    const add = (method: string, resource: string, integration: apigw.Integration, options: apigw.MethodOptions) =>
      api.api.root.resourceForPath(resource).addMethod(method, integration, {
        requestValidator: api.requestValidator,
        requestParameters: Object.fromEntries(pathParameters(resource).map((param) => [`method.request.path.${param}`, true])),
        ...options,
      });
    const pages = CONSOLE_PAGE_ROUTES.map(({ method, resource }) => add(method, resource, integrations.page, { authorizationType: apigw.AuthorizationType.NONE }));
    for (const page of pages) {
      const reason = 'The page shell and its bundled script and style hold no data and act on nothing: signing in happens in the page, and all data is behind /console/api/*, which the Cognito authorizer guards.';
      Validations.of(resourceOf(page)).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
    }
    const routes = CONSOLE_API_ROUTES.map(({ method, resource }) => add(method, resource, integrations.api, { authorizationType: apigw.AuthorizationType.COGNITO, authorizer: this.authorizer }));
    this.methods = [...pages, ...routes];

    Validations.of(resourceOf(this.userPool)).acknowledge(
      {
        id: 'AwsSolutions-COG8',
        reason: 'The Essentials plan: Plus adds threat protection and compromised-credential checks at a price per active user, for a pool of a few invited people with no self sign-up (docs/console.md#signing-in-aws).',
      },
      ...(props.requireMfa
        ? []
        : [
            {
              id: 'AwsSolutions-COG2',
              reason: 'MFA is optional so that a first deployment works without enrolling every reader; each person may enrol TOTP, and requireMfa makes it required (docs/console.md#signing-in-aws).',
            },
          ]),
    );
  }
}

/** `<product>-<8 hex of the stack name>-<account>`: unique per account, region (the domain is regional) and stack. */
function defaultDomainPrefix(product: string, stackName: string): string {
  // Cognito refuses prefixes with these words in them.
  const slug = product.toLowerCase().replace(/aws|amazon|cognito/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'releases';
  return `${slug}-${createHash('sha256').update(stackName).digest('hex').slice(0, 8)}-${Aws.ACCOUNT_ID}`;
}

/** Bundles the page's assets into the cloud assembly; the function's bundle copies them next to its code. */
function stageAssets(scope: Construct): Record<string, string> {
  const dir = join(Stage.of(scope)?.outdir ?? '.', 'console-assets');
  const files = writeConsoleAssetsSync(dir);
  return Object.fromEntries(Object.entries(files).map(([name, path]) => [`${CONSOLE_ASSETS_DIR}/${name}`, path]));
}
