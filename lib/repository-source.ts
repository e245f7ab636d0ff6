import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RepositoryConfig } from '../core/config';
import { ownerAndName } from '../core/repository-url';

/**
 * The CodeBuild source of a configured repository. Webhooks stay off: our own webhook endpoint decides
 * what to build. Each build checks out the exact commit it is given (`SourceVersion`). A repository with a
 * `connectionArn` is checked out through that CodeConnections connection, and the project's role may use
 * exactly that connection; otherwise CodeBuild uses the account's source credentials of the git host.
 */
export function repositorySource(repository: RepositoryConfig): codebuild.ISource {
  const source = hostSource(repository);
  return repository.connectionArn === undefined ? source : new ConnectionSource(source, repository.connectionArn);
}

/**
 * What a role needs to check a repository out through a connection. A connection made before the
 * CodeStar Connections rename keeps its `codestar-connections` ARN, which IAM still matches against that
 * prefix's actions: such an ARN gets both names.
 */
export function connectionStatement(connectionArn: string): iam.PolicyStatement {
  const prefixes = connectionArn.split(':')[2] === 'codestar-connections' ? ['codeconnections', 'codestar-connections'] : ['codeconnections'];
  return new iam.PolicyStatement({
    actions: prefixes.flatMap((prefix) => [`${prefix}:UseConnection`, `${prefix}:GetConnectionToken`]),
    resources: [connectionArn],
  });
}

function hostSource(repository: RepositoryConfig): codebuild.ISource {
  const [owner, repo] = ownerAndName(repository.url);
  switch (repository.provider) {
    case 'github':
      return codebuild.Source.gitHub({ owner, repo, webhook: false, reportBuildStatus: false });
    case 'bitbucket':
      return codebuild.Source.bitBucket({ owner, repo, webhook: false, reportBuildStatus: false });
    case 'gitlab':
      return new GitLabSource(repository.url);
  }
}

/**
 * GitLab.com source (CodeBuild type `GITLAB`); the config requires it to name its connection. aws-cdk-lib
 * has no GitLab source class yet.
 */
class GitLabSource extends codebuild.Source {
  readonly type = 'GITLAB';

  constructor(private readonly url: string) {
    super({});
  }

  override bind(scope: Construct, project: codebuild.IProject): codebuild.SourceConfig {
    const config = super.bind(scope, project);
    return { ...config, sourceProperty: { ...config.sourceProperty, type: this.type, location: this.url } };
  }
}

/**
 * A source checked out through a CodeConnections connection (`Auth: {Type: CODECONNECTIONS}`), which
 * aws-cdk-lib's source classes cannot express yet.
 */
class ConnectionSource implements codebuild.ISource {
  readonly type: string;
  readonly badgeSupported: boolean;

  constructor(
    private readonly source: codebuild.ISource,
    private readonly connectionArn: string,
  ) {
    this.type = source.type;
    this.badgeSupported = source.badgeSupported;
  }

  bind(scope: Construct, project: codebuild.IProject): codebuild.SourceConfig {
    const config = this.source.bind(scope, project);
    project.addToRolePolicy(connectionStatement(this.connectionArn));
    return { ...config, sourceProperty: { ...config.sourceProperty, auth: { type: 'CODECONNECTIONS', resource: this.connectionArn } } };
  }
}
