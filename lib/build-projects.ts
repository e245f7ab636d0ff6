import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';

import { Construct } from 'constructs';
import type { RepositoryConfig } from '../core/config';
import { ArtifactStore } from './artifact-store';
import { repositorySource } from './repository-source';

export interface BuildProjectsProps {
  /** The repository whose commits these projects build, deploy and test. */
  readonly repository: RepositoryConfig;
  /** Where the build project stores each commit's artifact, and deploy and test read it. */
  readonly artifactBucket: s3.IBucket;
  /**
   * Build image of the three projects.
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * Time limit of one build, deploy or test run.
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
  /**
   * How long the projects' CloudWatch logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The names of a repository's three projects: `<stack>-<repository>-build|deploy|test`. They are fixed
 * at synth, so the step functions get them with their settings rather than in their environment (which
 * would grow with every repository).
 */
export function buildProjectNames(stackName: string, repository: string): { build: string; deploy: string; test: string } {
  return { build: `${stackName}-${repository}-build`, deploy: `${stackName}-${repository}-deploy`, test: `${stackName}-${repository}-test` };
}

/**
 * The three CodeBuild projects of one repository. Their buildspecs come from the repository itself
 * (`buildspec.yml`, `deployspec.yml`, `testspec.yml` unless configured otherwise), read at the commit
 * being worked on. The build project writes the commit's artifact; deploy and test only read it.
 *
 * The deploy project's role can touch nothing of your application: grant it what your deploy needs,
 * e.g. `projects.deploy.role?.addManagedPolicy(...)` or `bucket.grantWrite(projects.deploy)`.
 */
export class BuildProjects extends Construct {
  readonly build: codebuild.Project;
  readonly deploy: codebuild.Project;
  readonly test: codebuild.Project;
  /** The projects' names, known at synth (`projectName` is a reference to the resource). */
  readonly names: { readonly build: string; readonly deploy: string; readonly test: string };
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BuildProjectsProps) {
    super(scope, id);
    const { repository, artifactBucket } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.names = buildProjectNames(Stack.of(this).stackName, repository.name);
    const project = (name: 'Build' | 'Deploy' | 'Test', buildspec: string, description: string) =>
      new codebuild.Project(this, name, {
        projectName: this.names[name.toLowerCase() as keyof BuildProjects['names']],
        description: `${description} of ${repository.name}`,
        source: repositorySource(repository),
        buildSpec: codebuild.BuildSpec.fromSourceFilename(buildspec),
        environment: { buildImage: props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
        timeout: props.timeout ?? Duration.minutes(30),
        logging: { cloudWatch: { logGroup: this.logGroup, prefix: name.toLowerCase() } },
      });
    this.build = project('Build', repository.buildspec, 'Builds each pushed commit once');
    this.deploy = project('Deploy', repository.deployspec, 'Deploys a stored artifact');
    this.test = project('Test', repository.testspec, 'Tests a deployment');

    // Artifacts go to `artifacts/<repository>/<commit>/` through each run's ArtifactsOverride, so the
    // projects declare none and get exactly these object rights, instead of read/write on the bucket.
    const objects = artifactBucket.arnForObjects(`${ArtifactStore.prefix(repository.name)}/*`);
    this.build.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    for (const reader of [this.deploy, this.test]) {
      reader.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects] }));
    }
    for (const each of [this.build, this.deploy, this.test]) {
      each.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:GetBucketAcl'], resources: [artifactBucket.bucketArn] }));
      acknowledgeProjectFindings(each, objects);
    }
  }
}

/** The findings cdk-nag raises on every CodeBuild project, each acknowledged for its own reason. */
function acknowledgeProjectFindings(project: codebuild.Project, artifactObjects: string): void {
  const stack = Stack.of(project);
  const logicalId = `<${stack.getLogicalId(project.node.defaultChild as CfnElement)}>`;
  const pseudo = 'arn:<AWS::Partition>:%s:<AWS::Region>:<AWS::AccountId>';
  const objects = stack.resolve(artifactObjects) as { 'Fn::Join': [string, Array<string | { 'Fn::GetAtt': [string, string] }>] };
  const bucket = objects['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${part['Fn::GetAtt'].join('.')}>`)).join('');
  Validations.of(project).acknowledge(
    {
      id: 'AwsSolutions-CB4',
      reason: 'Artifacts are encrypted by the bucket (SSE-S3); CodeBuild uses the AWS-managed key, which avoids a per-repository KMS key and its cost.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${pseudo.replace('%s', 'logs')}:log-group:/aws/codebuild/${logicalId}:*]`,
      reason: 'CodeBuild creates one log stream per build in its own log group; their names are not known in advance.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${pseudo.replace('%s', 'codebuild')}:report-group/${logicalId}-*]`,
      reason: 'CodeBuild report groups of this project are created per buildspec report, named after the project.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${bucket}]`,
      reason: 'Each commit has its own artifact under this repository\'s prefix; the wildcard is limited to that prefix.',
    },
  );
}
