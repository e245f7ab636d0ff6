import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/** Errors CodeBuild's API answers with when it is busy: worth retrying. A red build is not among them. */
export const CODEBUILD_RETRYABLE = [
  'CodeBuild.AccountLimitExceededException',
  'CodeBuild.ThrottlingException',
  'CodeBuild.AWSCodeBuildException',
  'CodeBuild.CodeBuildException',
];

export interface CodeBuildTaskProps {
  readonly comment: string;
  /** JSONPath to the project name. */
  readonly projectName: string;
  /** JSONPath to the commit to check out. */
  readonly sourceVersion: string;
  /** Environment variables: name -> JSONPath of the value. */
  readonly environment: Record<string, string>;
  /**
   * Environment variables with a fixed value: name -> value.
   * @default - none
   */
  readonly values?: Record<string, string>;
  /** Extra StartBuild parameters (ArtifactsOverride, SecondarySourcesOverride, ServiceRoleOverride). */
  readonly parameters?: Record<string, unknown>;
  /**
   * More of the build to keep at `resultPath`: field -> JSONPath into the `{ Build }` answer.
   * @default - the build's id, status and log link only
   */
  readonly keep?: Record<string, string>;
  readonly resultPath: string;
  readonly timeoutSeconds: number;
}

/**
 * `codebuild:startBuild.sync` as a plain ASL Task, because the CDK task cannot pass `SourceVersion`,
 * `ArtifactsOverride`, `SecondarySourcesOverride` or `ServiceRoleOverride`, which are what make every environment deploy the one
 * artifact of one commit. The state machine's role gets its CodeBuild rights from `BuildProjects`.
 */
export function codeBuildTask(scope: Construct, id: string, props: CodeBuildTaskProps): sfn.CustomState {
  return new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Comment: props.comment,
      Resource: 'arn:aws:states:::codebuild:startBuild.sync',
      TimeoutSeconds: props.timeoutSeconds,
      Parameters: {
        'ProjectName.$': props.projectName,
        'SourceVersion.$': props.sourceVersion,
        EnvironmentVariablesOverride: [
          ...Object.entries(props.environment).map(([name, path]) => ({ Name: name, Type: 'PLAINTEXT', 'Value.$': path })),
          ...Object.entries(props.values ?? {}).map(([name, value]) => ({ Name: name, Type: 'PLAINTEXT', Value: value })),
        ],
        ...props.parameters,
      },
      ResultSelector: {
        'id.$': '$.Build.Id',
        'status.$': '$.Build.BuildStatus',
        'logUrl.$': '$.Build.Logs.DeepLink',
        ...Object.fromEntries(Object.entries(props.keep ?? {}).map(([field, path]) => [`${field}.$`, path])),
      },
      ResultPath: props.resultPath,
    },
  }).addRetry({ errors: CODEBUILD_RETRYABLE, interval: Duration.seconds(5), maxAttempts: 4, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
}
