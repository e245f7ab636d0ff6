import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';

import { Construct } from 'constructs';
import type { RepositoryConfig } from '../core/config';
import { defaultPolicyOf, nagResource, resourceOf } from './acknowledge';
import { ArtifactStore } from './artifact-store';
import { connectionStatement, repositorySource } from './repository-source';

export interface BuildProjectsProps {
  /** The repository whose commits these projects build, deploy and test. */
  readonly repository: RepositoryConfig;
  /** Where the build project stores each commit's artifact, and deploy and test read it. */
  readonly artifactBucket: s3.IBucket;
  /**
   * Build image of the three projects.
   * @default the repository's `build.image`, else codebuild.LinuxBuildImage.STANDARD_7_0
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
 * e.g. `projects.deploy.role?.addManagedPolicy(...)` or `bucket.grantWrite(projects.deploy)`. In an
 * environment with a `deployRoleArn` the deploy and test run as that environment's deploy role instead
 * (`DeployTargets`), and their rights come from the role they assume in the target account.
 */
export class BuildProjects extends Construct {
  readonly build: codebuild.Project;
  readonly deploy: codebuild.Project;
  readonly test: codebuild.Project;
  /** The projects' names, known at synth (`projectName` is a reference to the resource). */
  readonly names: { readonly build: string; readonly deploy: string; readonly test: string };
  readonly logGroup: logs.LogGroup;

  private readonly repository: RepositoryConfig;

  constructor(scope: Construct, id: string, props: BuildProjectsProps) {
    super(scope, id);
    const { repository, artifactBucket } = props;
    this.repository = repository;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.names = buildProjectNames(Stack.of(this).stackName, repository.name);
    const settings = repository.build ?? {};
    const environment: codebuild.BuildEnvironment = {
      buildImage: props.buildImage ?? (settings.image === undefined ? codebuild.LinuxBuildImage.STANDARD_7_0 : buildImage(settings.image)),
      computeType: computeType(settings.computeType ?? 'SMALL'),
      privileged: settings.privileged ?? false,
    };
    const project = (name: 'Build' | 'Deploy' | 'Test', buildspec: string, description: string) =>
      new codebuild.Project(this, name, {
        projectName: this.names[name.toLowerCase() as keyof BuildProjects['names']],
        description: `${description} of ${repository.name}`,
        source: repositorySource(repository),
        buildSpec: codebuild.BuildSpec.fromSourceFilename(buildspec),
        environment,
        timeout: props.timeout ?? Duration.minutes(30),
        logging: { cloudWatch: { logGroup: this.logGroup, prefix: name.toLowerCase() } },
        // Buildspecs here declare no `reports`: no report group rights.
        grantReportGroupPermissions: false,
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
      if (props.buildImage === undefined && settings.image !== undefined && !settings.image.startsWith('aws/codebuild/')) {
        Validations.of(resourceOf(each)).acknowledge({
          id: 'AwsSolutions-CB5',
          reason: `release.config.yaml chooses this image for ${repository.name} (build.image: ${settings.image}).`,
        });
      }
    }
  }

  /**
   * What a deploy or test run of this repository needs besides the artifact when it runs as another role
   * (`ServiceRoleOverride`, an environment's deploy role): write its log streams, check the commit out.
   */
  grantRunAs(role: iam.IRole): void {
    this.logGroup.grantWrite(role);
    if (this.repository.connectionArn !== undefined) role.addToPrincipalPolicy(connectionStatement(this.repository.connectionArn));
  }
}

/** `aws/codebuild/...` is an image CodeBuild manages; anything else is pulled from its registry. */
function buildImage(image: string): codebuild.IBuildImage {
  if (!image.startsWith('aws/codebuild/')) return codebuild.LinuxBuildImage.fromDockerRegistry(image);
  // The environment type follows the image: an aarch64 image runs on ARM instances only.
  return image.includes('aarch64') ? codebuild.LinuxArmBuildImage.fromCodeBuildImageId(image) : codebuild.LinuxBuildImage.fromCodeBuildImageId(image);
}

/** `SMALL` and `BUILD_GENERAL1_SMALL` are one size; CodeBuild knows only the second name. */
function computeType(name: NonNullable<NonNullable<RepositoryConfig['build']>['computeType']>): codebuild.ComputeType {
  if (name.startsWith('BUILD_GENERAL1_')) return name as codebuild.ComputeType;
  const sizes = { SMALL: 'SMALL', MEDIUM: 'MEDIUM', LARGE: 'LARGE', X_LARGE: 'XLARGE', X2_LARGE: '2XLARGE' } as const;
  return `BUILD_GENERAL1_${sizes[name as keyof typeof sizes]}` as codebuild.ComputeType;
}

/** The findings cdk-nag raises on every CodeBuild project, each acknowledged on its resource for its own reason. */
function acknowledgeProjectFindings(project: codebuild.Project, artifactObjects: string): void {
  Validations.of(resourceOf(project)).acknowledge({
    id: 'AwsSolutions-CB4',
    reason:
      'No customer-managed key: CodeBuild encrypts the build artifact it uploads with the AWS-managed key aws/s3 (its default) and the bucket encrypts at rest (SSE-S3); the projects produce no other output. A customer key would add key policy and cost and no control we use.',
  });
  Validations.of(defaultPolicyOf(project.role)).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::${nagResource(project, Stack.of(project).formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/codebuild/${project.projectName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }))}:*]`,
      reason:
        'aws-cdk-lib always grants a project its default log group /aws/codebuild/<project> (log streams are named per build), and has no switch to leave it out; these projects log to their repository\'s log group instead, so the grant is unused.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${nagResource(project, artifactObjects)}]`,
      reason: 'Each commit has its own artifact under this repository\'s prefix; the wildcard is limited to that prefix.',
    },
  );
}
