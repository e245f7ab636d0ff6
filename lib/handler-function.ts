import { Duration, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPolicyOf, resourceOf } from './acknowledge';

/** Tag naming a function's handler file in `lambdas/`. */
export const HANDLER_TAG = 'cot:handler';

const LAMBDAS = join(dirname(fileURLToPath(import.meta.url)), '..', 'lambdas');

export interface HandlerFunctionProps {
  /** File name in `lambdas/`, without extension. */
  readonly handler: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
}

/**
 * One of our Lambda handlers, bundled by the local esbuild (no Docker): Node.js 22 on ARM64, X-Ray on,
 * logs kept three months in its own log group, the AWS SDK v3 taken from the runtime.
 */
export class HandlerFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS });
    // Writes to its own log group only: AWSLambdaBasicExecutionRole, the default, would let the function
    // create and write any log group of the account.
    const role = new iam.Role(scope, `${id}ServiceRole`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(LAMBDAS, `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_SERVICE_NAME: 'codeontap-release',
        ...props.environment,
      },
      bundling: { sourceMap: true, minify: true, target: 'node22', externalModules: ['@aws-sdk/*'] },
    });
    // Local mode finds the in-process handler of each function by this tag.
    Tags.of(this).add(HANDLER_TAG, props.handler, { includeResourceTypes: ['AWS::Lambda::Function'] });
    Validations.of(resourceOf(this)).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the newest runtime this code is verified with; it is pinned so that upgrades are deliberate.',
    });
    Validations.of(defaultPolicyOf(role)).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) accepts no narrower resource.',
    });
  }
}
