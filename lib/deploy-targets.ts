import { Aws, CfnOutput, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deployTargetOf, type DeployTarget, type EnvironmentConfig } from '../core/config';
import { ArtifactStore } from './artifact-store';
import type { BuildProjects } from './build-projects';
import { codeBuildTask, type CodeBuildTaskProps } from './codebuild-task';
import { defaultPolicyOf, nagResource } from './acknowledge';
import { pascalCase } from './construct-names';

export interface DeployTargetsProps {
  /** The configured environments; those with a `deployRoleArn` get a deploy role here. */
  readonly environments: readonly EnvironmentConfig[];
  /** Build, deploy and test projects of each repository: their deploy and test runs may run as these roles. */
  readonly projects: ReadonlyMap<string, BuildProjects>;
  /** Where the artifacts the deploy and test runs read are stored. */
  readonly artifactBucket: s3.IBucket;
}

/** An environment's target and the role its deploy and test runs run as. */
interface Target extends DeployTarget {
  readonly environment: EnvironmentConfig;
  readonly role: iam.Role;
}

/**
 * Deploys into another account (docs/deploy-to-aws.md#target-account-roles). Each environment with a
 * `deployRoleArn` gets its own role, which may assume exactly that ARN; its deploy and test runs run as
 * that role (StartBuild's `ServiceRoleOverride`), for every repository. The projects' own roles never get
 * a target's rights, so a run for one environment (a push to `main`) cannot reach another (production):
 * that takes the approvals of the promotion workflow.
 *
 * The target account's role trusts the `DeployRole<Environment>` output of its environment.
 */
export class DeployTargets extends Construct {
  /** The deploy role of each environment with a `deployRoleArn`, by environment name. */
  readonly roles: ReadonlyMap<string, iam.Role>;
  private readonly targets: readonly Target[];

  constructor(scope: Construct, id: string, props: DeployTargetsProps) {
    super(scope, id);
    const targets: Target[] = [];
    for (const environment of props.environments) {
      const target = deployTargetOf(environment);
      if (!target) continue;
      // Only CodeBuild of this account may take the role (confused-deputy protection).
      const role = new iam.Role(this, `Role-${environment.name}`, {
        assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
        description: `Deploy and test runs of ${environment.name}: may assume ${target.roleArn} only`,
      });
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [target.roleArn] }));
      const artifacts = props.artifactBucket.arnForObjects(ArtifactStore.prefix('*'));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [artifacts] }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:GetBucketAcl'], resources: [props.artifactBucket.bucketArn] }));
      for (const projects of props.projects.values()) projects.grantRunAs(role);
      Validations.of(defaultPolicyOf(role)).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, artifacts)}]`,
        reason: `This role deploys and tests every repository in ${environment.name}: it reads any commit's artifact (read only, under artifacts/).`,
      });
      const outputId = `DeployRole${pascalCase(environment.name)}`;
      if (this.node.tryFindChild(outputId)) throw new Error(`environments ${environment.name} and another one both make output ${outputId}: rename one`);
      const output = new CfnOutput(this, outputId, { value: role.roleArn, description: `The role ${target.roleArn} must trust: deploy and test runs of ${environment.name}` });
      // The target account's trust policy is written from this output: its name must not move.
      output.overrideLogicalId(outputId);
      targets.push({ ...target, environment, role });
    }
    this.targets = targets;
    this.roles = new Map(targets.map((target) => [target.environment.name, target.role]));
  }

  /**
   * A deploy or test Task that runs as the environment's deploy role where it has one: a Choice on the
   * run's environment picks a Task of that environment, with `ServiceRoleOverride` and the target in its
   * variables (`COT_DEPLOY_ROLE_ARN`, `COT_ACCOUNT`, `AWS_REGION`, `AWS_DEFAULT_REGION`); every other
   * environment runs the plain Task with the project's own role. Without any such environment among
   * `environments`, it is the plain Task alone.
   */
  codeBuildStep(scope: Construct, id: string, props: CodeBuildStepProps): CodeBuildStep {
    return new CodeBuildStep(scope, `${id}Step`, id, props, this.targets.filter((target) => props.environments(target.environment)));
  }

  /** Lets a state machine start builds as the deploy roles of the environments it runs (and nothing else). */
  grantPassRoles(grantee: iam.IGrantable, environments: (env: EnvironmentConfig) => boolean): void {
    const roles = this.targets.filter((target) => environments(target.environment)).map((target) => target.role.roleArn);
    if (roles.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: roles, conditions: { StringEquals: { 'iam:PassedToService': 'codebuild.amazonaws.com' } } }),
    );
  }
}

export interface CodeBuildStepProps extends CodeBuildTaskProps {
  /** JSONPath to the run's environment name. */
  readonly environmentPath: string;
  /** Which environments this workflow runs (its Choice names only those). */
  readonly environments: (env: EnvironmentConfig) => boolean;
}

/** The Tasks of one step (deploy or test), one per deploy role, behind a Choice on the environment. */
export class CodeBuildStep extends sfn.StateMachineFragment {
  readonly startState: sfn.State;
  readonly endStates: sfn.INextable[];
  /** Every Task of the step: catches apply to each. */
  readonly tasks: readonly sfn.CustomState[];

  constructor(scope: Construct, id: string, stateName: string, props: CodeBuildStepProps, targets: readonly Target[]) {
    super(scope, id);
    const plain = codeBuildTask(this, stateName, props);
    const targeted = targets.map((target) =>
      codeBuildTask(this, `${stateName}-${target.environment.name}`, {
        ...props,
        comment: `${props.comment}, in ${target.environment.name} as its deploy role`,
        values: {
          ...props.values,
          COT_DEPLOY_ROLE_ARN: target.roleArn,
          COT_ACCOUNT: target.account,
          // CodeBuild sets both to its own region; the AWS CLI reads the second, the SDKs the first.
          AWS_REGION: target.region ?? Aws.REGION,
          AWS_DEFAULT_REGION: target.region ?? Aws.REGION,
        },
        parameters: { ...props.parameters, ServiceRoleOverride: target.role.roleArn },
      }),
    );
    this.tasks = [plain, ...targeted];
    this.endStates = [...this.tasks];
    if (targeted.length === 0) {
      this.startState = plain;
      return;
    }
    const choice = new sfn.Choice(this, `${stateName}Target`, { comment: 'Environments with a deployRoleArn run as their deploy role' });
    targets.forEach((target, index) => choice.when(sfn.Condition.stringEquals(props.environmentPath, target.environment.name), targeted[index]!));
    choice.otherwise(plain);
    this.startState = choice;
  }

  /** Adds the catch to every Task of the step. */
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): this {
    for (const task of this.tasks) task.addCatch(handler, props);
    return this;
  }
}
